#!/usr/bin/env python3
"""Drive a running cockpit's Open311 GeoReport v2 API with existing Open311 clients.

usage: scripts/open311-client-test.py BASE_URL [--jurisdiction nanan] [--api-key ck_…]

BASE_URL is the GeoReport root, e.g. http://127.0.0.1:8080/open311/v2. The server
must have the Nanan scopes registered (the demo, or the tests' tree) and the default
categories configured. Clients, both from PyPI, used unchanged:

- `three` 0.8 (Code for America): files the reports (POST requests.json) and reads
  services and requests in JSON. It was written for Python 2; its one Python 2 name,
  itertools.ifilter, is aliased to filter before import.
- `georeport` 0.3: reads services, definitions and requests in JSON and in XML
  (it cannot POST).

Plus the GeoReport v2 specification's own example POST (form fields, XML answer,
with the personal fields that the cockpit must not keep) sent with urllib.

Install the clients with: python3 -m pip install three georeport
Prints one line per check and, last, `RESULT {json}` with the ids it filed; exits
non-zero on the first failed check.
"""

import argparse
import itertools
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

if not hasattr(itertools, "ifilter"):
    itertools.ifilter = filter  # three 0.8 imports this Python 2 name

import requests  # noqa: E402  (installed with the clients)
import three  # noqa: E402
from georeport import GeoReport  # noqa: E402

CHECKS = 0


def check(cond, what, detail=None):
    global CHECKS
    if not cond:
        print(f"FAILED: {what}" + (f"\n  got: {detail!r}" if detail is not None else ""), flush=True)
        sys.exit(1)
    CHECKS += 1
    print(f"ok: {what}", flush=True)


def as_list(x):
    """xmltodict gives a dict for one repeated element and a list for several."""
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--jurisdiction", default="nanan")
    ap.add_argument("--api-key", default="")
    args = ap.parse_args()
    base = args.base.rstrip("/")
    jur = args.jurisdiction
    key = args.api_key

    # --- georeport: services in JSON and XML -----------------------------------
    g = GeoReport(base, jurisdiction=jur, api_key=key or None)
    gx = GeoReport(base, jurisdiction=jur, api_key=key or None, output_format="xml")
    services = g.get_service_list()
    codes = [s["service_code"] for s in services]
    check("street_light" in codes and "dispute" in codes, "georeport lists services (json)", codes)
    light = next(s for s in services if s["service_code"] == "street_light")
    check("路灯" in light["service_name"] and light["metadata"] is False, "street_light is named and has no metadata", light)
    xml_codes = [s["service_code"] for s in as_list(gx.get_service_list())]
    check(xml_codes == codes, "georeport lists the same services in XML", xml_codes)
    dispute = g.get_service_definition("dispute")
    attrs = [a["code"] for a in dispute["attributes"]]
    check(attrs == ["parties", "kind"], "dispute's definition has its attributes (json)", dispute)
    dx = gx.get_service_definition("dispute")
    xattrs = [a["code"] for a in as_list(dx["attributes"]["attribute"])]
    check(xattrs == attrs, "and in XML", dx)

    # --- three: file reports ----------------------------------------------------
    t = three.Three(base + "/", jurisdiction=jur, api_key=key)
    check(
        [s["service_code"] for s in t.services()] == codes,
        "three lists services",
    )
    check(t.services("dispute")["service_code"] == "dispute", "three reads a service definition")
    filed = t.post(
        "street_light",
        address="正街社区第三网格 解放东路 路灯杆 ZJ-031",
        lat="29.5545",
        long="106.5753",
        description="路灯不亮已经三天了 The street light has been out for three days",
        name="Li Wei",
        phone="13800000000",
    )
    check(
        isinstance(filed, list) and filed[0]["service_request_id"].startswith("o311-"),
        "three files a street-light report",
        filed,
    )
    light_id = filed[0]["service_request_id"]
    disp = t.post(
        "dispute",
        address_id="nanpingzhen.xinglong",
        description="楼上漏水引发邻里纠纷 A leak from upstairs started a dispute",
        **{"attribute[parties]": "2", "attribute[kind]": "neighbour"},
    )
    check(disp[0]["service_request_id"].startswith("o311-"), "three files a dispute with attributes", disp)
    dispute_id = disp[0]["service_request_id"]
    bad = t.post("dispute", address_id="nanpingzhen.xinglong", **{"attribute[kind]": "war"})
    check(
        isinstance(bad, list) and bad[0]["code"] == 400 and "kind" in bad[0]["description"],
        "a bad attribute comes back as a GeoReport error",
        bad,
    )
    mine = t.request(light_id)
    check(
        mine[0]["status"] == "open" and mine[0]["address_id"] == "nanan.nanping.zhengjie.g03",
        "three reads the report back: open, in Zhengjie's third grid",
        mine,
    )
    open_lights = t.requests("street_light", status="open")
    check(light_id in [r["service_request_id"] for r in open_lights], "three finds it among open street lights")

    # --- the specification's own example POST (XML) ---------------------------
    form = {
        "api_key": key or "xyz",
        "jurisdiction_id": jur,
        "service_code": "garbage",
        "lat": "37.76524078",
        "long": "-122.4212043",
        "address_string": "1234 5th street",
        "email": "smit333@sfgov.edu",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "john",
        "last_name": "smith",
        "phone": "111111111",
        "description": "ljsdflsjf sdfjsldkf",
        "media_url": "http://someurl.com/image.jpg",
    }
    req = urllib.request.Request(
        f"{base}/requests.xml",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(req, timeout=30) as res:
        doc = ET.fromstring(res.read())
    spec_id = doc.findtext("./request/service_request_id") or ""
    check(doc.tag == "service_requests" and spec_id.startswith("o311-"), "the spec's example POST is answered in XML")
    back = ET.fromstring(requests.get(f"{base}/requests/{spec_id}.xml", params={"jurisdiction_id": jur}, timeout=30).content)
    r = back.find("request")
    check(
        r is not None
        and r.findtext("status") == "open"
        and r.findtext("address") == "1234 5th street"
        and r.findtext("address_id") == jur
        and r.findtext("media_url") == "http://someurl.com/image.jpg"
        and float(r.findtext("lat") or 0) == 37.76524078,
        "it reads back in XML, filed at the jurisdiction (the address names no unit)",
        ET.tostring(back, encoding="unicode"),
    )
    text = ET.tostring(back, encoding="unicode")
    check("smit333" not in text and "111111111" not in text, "personal fields are not kept")

    # --- georeport: requests, filters, errors -----------------------------------
    got = g.get_service_requests(service_request_id=f"{light_id},{dispute_id}")
    check(sorted(x["service_request_id"] for x in got) == sorted([light_id, dispute_id]), "georeport filters by ids", got)
    one = g.get_service_request(dispute_id)
    check(one["service_code"] == "dispute" and one["address_id"] == "nanan.nanpingzhen.xinglong", "georeport reads one request", one)
    xs = as_list(gx.get_service_requests(service_code="street_light,garbage", status="open"))
    xids = {x["service_request_id"] for x in xs}
    check({light_id, spec_id} <= xids and dispute_id not in xids, "georeport filters by service_code and status (XML)", xids)
    closed = g.get_service_requests(status="closed")
    check(all(x["status"] == "closed" for x in closed), "status=closed returns only closed requests", closed)
    try:
        g.get_service_request("no-such-request")
        check(False, "an unknown request is a 404")
    except requests.HTTPError as e:
        body = e.response.json()
        check(
            e.response.status_code == 404 and body[0]["code"] == 404 and "no-such-request" in body[0]["description"],
            "an unknown request is a 404 in the GeoReport error format",
            body,
        )
    res = requests.post(f"{base}/requests.xml", data={"jurisdiction_id": jur, "lat": "29.5", "long": "106.5"}, timeout=30)
    err = ET.fromstring(res.content)
    check(
        res.status_code == 400 and err.tag == "errors" and err.findtext("./error/code") == "400" and "service_code" in (err.findtext("./error/description") or ""),
        "a POST without service_code is a 400 <errors> document",
        res.text,
    )

    print(f"open311 client test: {CHECKS} checks ok", flush=True)
    print("RESULT " + json.dumps({"street_light": light_id, "dispute": dispute_id, "spec_example": spec_id}), flush=True)


if __name__ == "__main__":
    main()
