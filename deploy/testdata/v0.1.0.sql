-- Community Cockpit v0.1.0: a database created and filled by that release's binary
-- (scripts/deploy-check.sh --make-fixture v0.1.0), restored by the upgrade check.
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: _sqlx_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public._sqlx_migrations (
    version bigint NOT NULL,
    description text NOT NULL,
    installed_on timestamp with time zone DEFAULT now() NOT NULL,
    success boolean NOT NULL,
    checksum bytea NOT NULL,
    execution_time bigint NOT NULL
);


--
-- Name: alert_rules; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.alert_rules (
    id text NOT NULL COLLATE pg_catalog."C",
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id text NOT NULL COLLATE pg_catalog."C",
    scope text NOT NULL,
    label text NOT NULL,
    hash text NOT NULL,
    revoked boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    id text NOT NULL COLLATE pg_catalog."C",
    body text NOT NULL,
    seq bigint NOT NULL
);


--
-- Name: journal; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.journal (
    seq bigint NOT NULL,
    kind text NOT NULL COLLATE pg_catalog."C",
    record_id text NOT NULL COLLATE pg_catalog."C",
    scope text NOT NULL COLLATE pg_catalog."C",
    body text NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: journal_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.journal_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: journal_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.journal_seq_seq OWNED BY public.journal.seq;


--
-- Name: scopes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.scopes (
    id text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    theme text,
    registered_at timestamp with time zone DEFAULT now() NOT NULL,
    households bigint
);


--
-- Name: tickets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tickets (
    id text NOT NULL COLLATE pg_catalog."C",
    scope text NOT NULL COLLATE pg_catalog."C",
    category text NOT NULL,
    reported_at bigint NOT NULL,
    deadline bigint NOT NULL,
    status text NOT NULL,
    last_at bigint NOT NULL
)
WITH (fillfactor='80');


--
-- Name: journal seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.journal ALTER COLUMN seq SET DEFAULT nextval('public.journal_seq_seq'::regclass);


--
-- Data for Name: _sqlx_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) FROM stdin;
1	records	2026-12-02 18:36:49.643801+00	t	\\x0e6e6735425df9b39a0f346bcb37eb2cd9f8edf23680b35781ebe182a93a7e7f6b4f75c458fae67bc5189b21af0341dc	108446862
2	api keys	2026-12-02 18:36:49.753836+00	t	\\x77ec749e9fde23bb09c6725dfe13e6ffc19d084859afc79995c862ae3c50fc57526cf3a19bb7d86c5c5b372cd339d102	25170788
3	scope households	2026-12-02 18:36:49.785931+00	t	\\xc4d4372591af015694a3366aceb7a69202ec27cb414ebc0e7e7bfb9c290173d5e0509720dd2cab459ae9b39448bebde2	11833770
4	alert rules	2026-12-02 18:36:49.798317+00	t	\\x152cb56b1960173c5e010f07a941f18255eeda70b5dcc4a70cd46bbb913ea0a5eeb6c011139ccd3922a206f702f656df	22191121
5	journal read back	2026-12-02 18:36:49.820992+00	t	\\xd5df7b142a1ef62a6f421007d9c5f34d3f3afb9bebed71fc5371f234270036f6f476e75955cb8ceded09f7c0a1262117	9766143
6	ticket state hot	2026-12-02 18:36:49.837913+00	t	\\x25b2b44144a736a663310d986ce79008e81e0bd22bfa257168907b8c4601a65429fc69c07793f7e24ecb32a5e2c21319	20969901
7	journal ledger index	2026-12-02 18:36:49.866017+00	t	\\x8634fecf664b193dded152a815d645ce5881cb5b60b6e84e5c22f2d9b485233fbe8ab2c577d66055c785207653f94a7c	17296974
8	identifiers collate c	2026-12-02 18:36:49.885527+00	t	\\x1ce73748ffad8b9b847e47a8aac6dbbb66a73b8334ed64a75c2b55a0e3f2b2e75e8cf51cae8f7e19091a3ff738df79be	80350297
\.


--
-- Data for Name: alert_rules; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.alert_rules (id, body, created_at, updated_at) FROM stdin;
\.


--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.api_keys (id, scope, label, hash, revoked, created_at) FROM stdin;
\.


--
-- Data for Name: events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.events (id, body, seq) FROM stdin;
dc-e08	{"id":"dc-e08","scope":"nanan.danzishi.qunhuicun","category":"calligraphy","title":"deploy-check event 8","starts_at":1792548000000,"status":"scheduled"}	15
dc-e13	{"id":"dc-e13","scope":"nanan.danzishi.qunhuicun","category":"legal_aid","title":"deploy-check event 13","starts_at":1792634400000,"status":"scheduled"}	15
dc-e05	{"id":"dc-e05","scope":"nanan.huayuanlu.jinyan","category":"health_lecture","title":"deploy-check event 5","starts_at":1792461600000,"status":"held"}	15
dc-e11	{"id":"dc-e11","scope":"nanan.changshengqiao.tongjing","category":"dance","title":"deploy-check event 11","starts_at":1792648800000,"status":"held"}	15
dc-e09	{"id":"dc-e09","scope":"nanan.nanpingzhen.xinglong","category":"dance","title":"deploy-check event 9","starts_at":1792544400000,"status":"held"}	15
dc-e03	{"id":"dc-e03","scope":"nanan.danzishi.qunhuicun","category":"calligraphy","title":"deploy-check event 3","starts_at":1792458000000,"status":"scheduled"}	15
dc-e02	{"id":"dc-e02","scope":"nanan.nanping.zhengjie","category":"calligraphy","title":"deploy-check event 2","starts_at":1792468800000,"status":"held"}	15
dc-e15	{"id":"dc-e15","scope":"nanan.huayuanlu.jinyan","category":"legal_aid","title":"deploy-check event 15","starts_at":1792659600000,"status":"held"}	15
dc-e01	{"id":"dc-e01","scope":"nanan.changshengqiao.tongjing","category":"calligraphy","title":"deploy-check event 1","starts_at":1792483200000,"status":"held"}	15
dc-e14	{"id":"dc-e14","scope":"nanan.nanpingzhen.xinglong","category":"legal_aid","title":"deploy-check event 14","starts_at":1792641600000,"status":"held"}	15
dc-e04	{"id":"dc-e04","scope":"nanan.nanpingzhen.xinglong","category":"calligraphy","title":"deploy-check event 4","starts_at":1792476000000,"status":"scheduled"}	15
dc-e10	{"id":"dc-e10","scope":"nanan.huayuanlu.jinyan","category":"legal_aid","title":"deploy-check event 10","starts_at":1792555200000,"status":"scheduled"}	15
dc-e07	{"id":"dc-e07","scope":"nanan.nanping.zhengjie","category":"calligraphy","title":"deploy-check event 7","starts_at":1792551600000,"status":"cancelled"}	15
dc-e12	{"id":"dc-e12","scope":"nanan.nanping.zhengjie","category":"dance","title":"deploy-check event 12","starts_at":1792645200000,"status":"held"}	15
dc-e06	{"id":"dc-e06","scope":"nanan.changshengqiao.tongjing","category":"calligraphy","title":"deploy-check event 6","starts_at":1792558800000,"status":"held"}	15
\.


--
-- Data for Name: journal; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.journal (seq, kind, record_id, scope, body, recorded_at) FROM stdin;
1	event	dc-e01	nanan.changshengqiao.tongjing	{"kind":"event","event":{"id":"dc-e01","scope":"nanan.changshengqiao.tongjing","category":"calligraphy","title":"deploy-check event 1","starts_at":1792483200000,"status":"held"},"previous":null}	2026-12-02 18:36:50.740073+00
2	event	dc-e02	nanan.nanping.zhengjie	{"kind":"event","event":{"id":"dc-e02","scope":"nanan.nanping.zhengjie","category":"calligraphy","title":"deploy-check event 2","starts_at":1792468800000,"status":"held"},"previous":null}	2026-12-02 18:36:50.740073+00
3	event	dc-e03	nanan.danzishi.qunhuicun	{"kind":"event","event":{"id":"dc-e03","scope":"nanan.danzishi.qunhuicun","category":"calligraphy","title":"deploy-check event 3","starts_at":1792458000000,"status":"scheduled"},"previous":null}	2026-12-02 18:36:50.740073+00
4	event	dc-e04	nanan.nanpingzhen.xinglong	{"kind":"event","event":{"id":"dc-e04","scope":"nanan.nanpingzhen.xinglong","category":"calligraphy","title":"deploy-check event 4","starts_at":1792476000000,"status":"scheduled"},"previous":null}	2026-12-02 18:36:50.740073+00
5	event	dc-e05	nanan.huayuanlu.jinyan	{"kind":"event","event":{"id":"dc-e05","scope":"nanan.huayuanlu.jinyan","category":"health_lecture","title":"deploy-check event 5","starts_at":1792461600000,"status":"held"},"previous":null}	2026-12-02 18:36:50.740073+00
6	event	dc-e06	nanan.changshengqiao.tongjing	{"kind":"event","event":{"id":"dc-e06","scope":"nanan.changshengqiao.tongjing","category":"calligraphy","title":"deploy-check event 6","starts_at":1792558800000,"status":"held"},"previous":null}	2026-12-02 18:36:50.740073+00
7	event	dc-e07	nanan.nanping.zhengjie	{"kind":"event","event":{"id":"dc-e07","scope":"nanan.nanping.zhengjie","category":"calligraphy","title":"deploy-check event 7","starts_at":1792551600000,"status":"cancelled"},"previous":null}	2026-12-02 18:36:50.740073+00
8	event	dc-e08	nanan.danzishi.qunhuicun	{"kind":"event","event":{"id":"dc-e08","scope":"nanan.danzishi.qunhuicun","category":"calligraphy","title":"deploy-check event 8","starts_at":1792548000000,"status":"scheduled"},"previous":null}	2026-12-02 18:36:50.740073+00
9	event	dc-e09	nanan.nanpingzhen.xinglong	{"kind":"event","event":{"id":"dc-e09","scope":"nanan.nanpingzhen.xinglong","category":"dance","title":"deploy-check event 9","starts_at":1792544400000,"status":"held"},"previous":null}	2026-12-02 18:36:50.740073+00
10	event	dc-e10	nanan.huayuanlu.jinyan	{"kind":"event","event":{"id":"dc-e10","scope":"nanan.huayuanlu.jinyan","category":"legal_aid","title":"deploy-check event 10","starts_at":1792555200000,"status":"scheduled"},"previous":null}	2026-12-02 18:36:50.740073+00
11	event	dc-e11	nanan.changshengqiao.tongjing	{"kind":"event","event":{"id":"dc-e11","scope":"nanan.changshengqiao.tongjing","category":"dance","title":"deploy-check event 11","starts_at":1792648800000,"status":"held"},"previous":null}	2026-12-02 18:36:50.740073+00
12	event	dc-e12	nanan.nanping.zhengjie	{"kind":"event","event":{"id":"dc-e12","scope":"nanan.nanping.zhengjie","category":"dance","title":"deploy-check event 12","starts_at":1792645200000,"status":"held"},"previous":null}	2026-12-02 18:36:50.740073+00
13	event	dc-e13	nanan.danzishi.qunhuicun	{"kind":"event","event":{"id":"dc-e13","scope":"nanan.danzishi.qunhuicun","category":"legal_aid","title":"deploy-check event 13","starts_at":1792634400000,"status":"scheduled"},"previous":null}	2026-12-02 18:36:50.740073+00
14	event	dc-e14	nanan.nanpingzhen.xinglong	{"kind":"event","event":{"id":"dc-e14","scope":"nanan.nanpingzhen.xinglong","category":"legal_aid","title":"deploy-check event 14","starts_at":1792641600000,"status":"held"},"previous":null}	2026-12-02 18:36:50.740073+00
15	event	dc-e15	nanan.huayuanlu.jinyan	{"kind":"event","event":{"id":"dc-e15","scope":"nanan.huayuanlu.jinyan","category":"legal_aid","title":"deploy-check event 15","starts_at":1792659600000,"status":"held"},"previous":null}	2026-12-02 18:36:50.740073+00
16	attendance	dc-e01-c1	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e01-c1","event_id":"dc-e01","scope":"nanan.changshengqiao.tongjing","at":1792483200000,"count":1,"person":"p038"}}	2026-12-02 18:36:50.769607+00
17	attendance	dc-e01-c2	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e01-c2","event_id":"dc-e01","scope":"nanan.changshengqiao.tongjing","at":1792483500000,"count":3,"person":"p004"}}	2026-12-02 18:36:50.769607+00
18	attendance	dc-e01-c3	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e01-c3","event_id":"dc-e01","scope":"nanan.changshengqiao.tongjing","at":1792483800000,"count":3,"person":"p014"}}	2026-12-02 18:36:50.769607+00
19	attendance	dc-e01-c4	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e01-c4","event_id":"dc-e01","scope":"nanan.changshengqiao.tongjing","at":1792484100000,"count":2,"person":"p014"}}	2026-12-02 18:36:50.769607+00
20	attendance	dc-e02-c1	nanan.nanping.zhengjie	{"kind":"attendance","checkin":{"id":"dc-e02-c1","event_id":"dc-e02","scope":"nanan.nanping.zhengjie","at":1792468800000,"count":2,"person":"p030"}}	2026-12-02 18:36:50.769607+00
21	attendance	dc-e02-c2	nanan.nanping.zhengjie	{"kind":"attendance","checkin":{"id":"dc-e02-c2","event_id":"dc-e02","scope":"nanan.nanping.zhengjie","at":1792469100000,"count":2,"person":"p030"}}	2026-12-02 18:36:50.769607+00
22	attendance	dc-e02-c3	nanan.nanping.zhengjie	{"kind":"attendance","checkin":{"id":"dc-e02-c3","event_id":"dc-e02","scope":"nanan.nanping.zhengjie","at":1792469400000,"count":2,"person":"p016"}}	2026-12-02 18:36:50.769607+00
23	attendance	dc-e02-c4	nanan.nanping.zhengjie	{"kind":"attendance","checkin":{"id":"dc-e02-c4","event_id":"dc-e02","scope":"nanan.nanping.zhengjie","at":1792469700000,"count":1,"person":"p002"}}	2026-12-02 18:36:50.769607+00
24	attendance	dc-e02-c5	nanan.nanping.zhengjie	{"kind":"attendance","checkin":{"id":"dc-e02-c5","event_id":"dc-e02","scope":"nanan.nanping.zhengjie","at":1792470000000,"count":1,"person":"p034"}}	2026-12-02 18:36:50.769607+00
25	attendance	dc-e02-c6	nanan.nanping.zhengjie	{"kind":"attendance","checkin":{"id":"dc-e02-c6","event_id":"dc-e02","scope":"nanan.nanping.zhengjie","at":1792470300000,"count":1,"person":"p005"}}	2026-12-02 18:36:50.769607+00
26	attendance	dc-e05-c1	nanan.huayuanlu.jinyan	{"kind":"attendance","checkin":{"id":"dc-e05-c1","event_id":"dc-e05","scope":"nanan.huayuanlu.jinyan","at":1792461600000,"count":1,"person":"p033"}}	2026-12-02 18:36:50.769607+00
27	attendance	dc-e05-c2	nanan.huayuanlu.jinyan	{"kind":"attendance","checkin":{"id":"dc-e05-c2","event_id":"dc-e05","scope":"nanan.huayuanlu.jinyan","at":1792461900000,"count":1,"person":"p009"}}	2026-12-02 18:36:50.769607+00
28	attendance	dc-e05-c3	nanan.huayuanlu.jinyan	{"kind":"attendance","checkin":{"id":"dc-e05-c3","event_id":"dc-e05","scope":"nanan.huayuanlu.jinyan","at":1792462200000,"count":3,"person":"p038"}}	2026-12-02 18:36:50.769607+00
29	attendance	dc-e06-c1	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e06-c1","event_id":"dc-e06","scope":"nanan.changshengqiao.tongjing","at":1792558800000,"count":2,"person":"p028"}}	2026-12-02 18:36:50.769607+00
30	attendance	dc-e06-c2	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e06-c2","event_id":"dc-e06","scope":"nanan.changshengqiao.tongjing","at":1792559100000,"count":1,"person":"p037"}}	2026-12-02 18:36:50.769607+00
31	attendance	dc-e06-c3	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e06-c3","event_id":"dc-e06","scope":"nanan.changshengqiao.tongjing","at":1792559400000,"count":3,"person":"p008"}}	2026-12-02 18:36:50.769607+00
32	attendance	dc-e06-c4	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e06-c4","event_id":"dc-e06","scope":"nanan.changshengqiao.tongjing","at":1792559700000,"count":2,"person":"p020"}}	2026-12-02 18:36:50.769607+00
33	attendance	dc-e06-c5	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e06-c5","event_id":"dc-e06","scope":"nanan.changshengqiao.tongjing","at":1792560000000,"count":3,"person":"p016"}}	2026-12-02 18:36:50.769607+00
34	attendance	dc-e09-c1	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e09-c1","event_id":"dc-e09","scope":"nanan.nanpingzhen.xinglong","at":1792544400000,"count":2,"person":"p011"}}	2026-12-02 18:36:50.769607+00
35	attendance	dc-e09-c2	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e09-c2","event_id":"dc-e09","scope":"nanan.nanpingzhen.xinglong","at":1792544700000,"count":2,"person":"p014"}}	2026-12-02 18:36:50.769607+00
36	attendance	dc-e09-c3	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e09-c3","event_id":"dc-e09","scope":"nanan.nanpingzhen.xinglong","at":1792545000000,"count":3,"person":"p023"}}	2026-12-02 18:36:50.769607+00
37	attendance	dc-e09-c4	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e09-c4","event_id":"dc-e09","scope":"nanan.nanpingzhen.xinglong","at":1792545300000,"count":3,"person":"p023"}}	2026-12-02 18:36:50.769607+00
38	attendance	dc-e09-c5	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e09-c5","event_id":"dc-e09","scope":"nanan.nanpingzhen.xinglong","at":1792545600000,"count":3,"person":"p002"}}	2026-12-02 18:36:50.769607+00
39	attendance	dc-e09-c6	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e09-c6","event_id":"dc-e09","scope":"nanan.nanpingzhen.xinglong","at":1792545900000,"count":1,"person":"p027"}}	2026-12-02 18:36:50.769607+00
40	attendance	dc-e11-c1	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e11-c1","event_id":"dc-e11","scope":"nanan.changshengqiao.tongjing","at":1792648800000,"count":2,"person":"p006"}}	2026-12-02 18:36:50.769607+00
41	attendance	dc-e11-c2	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e11-c2","event_id":"dc-e11","scope":"nanan.changshengqiao.tongjing","at":1792649100000,"count":1,"person":"p039"}}	2026-12-02 18:36:50.769607+00
42	attendance	dc-e11-c3	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e11-c3","event_id":"dc-e11","scope":"nanan.changshengqiao.tongjing","at":1792649400000,"count":1,"person":"p034"}}	2026-12-02 18:36:50.769607+00
43	attendance	dc-e11-c4	nanan.changshengqiao.tongjing	{"kind":"attendance","checkin":{"id":"dc-e11-c4","event_id":"dc-e11","scope":"nanan.changshengqiao.tongjing","at":1792649700000,"count":1,"person":"p009"}}	2026-12-02 18:36:50.769607+00
44	attendance	dc-e12-c1	nanan.nanping.zhengjie	{"kind":"attendance","checkin":{"id":"dc-e12-c1","event_id":"dc-e12","scope":"nanan.nanping.zhengjie","at":1792645200000,"count":3,"person":"p039"}}	2026-12-02 18:36:50.769607+00
45	attendance	dc-e12-c2	nanan.nanping.zhengjie	{"kind":"attendance","checkin":{"id":"dc-e12-c2","event_id":"dc-e12","scope":"nanan.nanping.zhengjie","at":1792645500000,"count":3,"person":"p027"}}	2026-12-02 18:36:50.769607+00
46	attendance	dc-e12-c3	nanan.nanping.zhengjie	{"kind":"attendance","checkin":{"id":"dc-e12-c3","event_id":"dc-e12","scope":"nanan.nanping.zhengjie","at":1792645800000,"count":2,"person":"p016"}}	2026-12-02 18:36:50.769607+00
47	attendance	dc-e14-c1	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e14-c1","event_id":"dc-e14","scope":"nanan.nanpingzhen.xinglong","at":1792641600000,"count":3,"person":"p016"}}	2026-12-02 18:36:50.769607+00
48	attendance	dc-e14-c2	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e14-c2","event_id":"dc-e14","scope":"nanan.nanpingzhen.xinglong","at":1792641900000,"count":1,"person":"p012"}}	2026-12-02 18:36:50.769607+00
49	attendance	dc-e14-c3	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e14-c3","event_id":"dc-e14","scope":"nanan.nanpingzhen.xinglong","at":1792642200000,"count":1,"person":"p039"}}	2026-12-02 18:36:50.769607+00
50	attendance	dc-e14-c4	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e14-c4","event_id":"dc-e14","scope":"nanan.nanpingzhen.xinglong","at":1792642500000,"count":3,"person":"p026"}}	2026-12-02 18:36:50.769607+00
51	attendance	dc-e14-c5	nanan.nanpingzhen.xinglong	{"kind":"attendance","checkin":{"id":"dc-e14-c5","event_id":"dc-e14","scope":"nanan.nanpingzhen.xinglong","at":1792642800000,"count":2,"person":"p032"}}	2026-12-02 18:36:50.769607+00
52	attendance	dc-e15-c1	nanan.huayuanlu.jinyan	{"kind":"attendance","checkin":{"id":"dc-e15-c1","event_id":"dc-e15","scope":"nanan.huayuanlu.jinyan","at":1792659600000,"count":1,"person":"p013"}}	2026-12-02 18:36:50.769607+00
53	attendance	dc-e15-c2	nanan.huayuanlu.jinyan	{"kind":"attendance","checkin":{"id":"dc-e15-c2","event_id":"dc-e15","scope":"nanan.huayuanlu.jinyan","at":1792659900000,"count":2,"person":"p007"}}	2026-12-02 18:36:50.769607+00
54	attendance	dc-e15-c3	nanan.huayuanlu.jinyan	{"kind":"attendance","checkin":{"id":"dc-e15-c3","event_id":"dc-e15","scope":"nanan.huayuanlu.jinyan","at":1792660200000,"count":2,"person":"p008"}}	2026-12-02 18:36:50.769607+00
55	attendance	dc-e15-c4	nanan.huayuanlu.jinyan	{"kind":"attendance","checkin":{"id":"dc-e15-c4","event_id":"dc-e15","scope":"nanan.huayuanlu.jinyan","at":1792660500000,"count":1,"person":"p034"}}	2026-12-02 18:36:50.769607+00
56	attendance	dc-e15-c5	nanan.huayuanlu.jinyan	{"kind":"attendance","checkin":{"id":"dc-e15-c5","event_id":"dc-e15","scope":"nanan.huayuanlu.jinyan","at":1792660800000,"count":1,"person":"p010"}}	2026-12-02 18:36:50.769607+00
57	attendance	dc-e15-c6	nanan.huayuanlu.jinyan	{"kind":"attendance","checkin":{"id":"dc-e15-c6","event_id":"dc-e15","scope":"nanan.huayuanlu.jinyan","at":1792661100000,"count":3,"person":"p025"}}	2026-12-02 18:36:50.769607+00
100	transition	dc-t001-s1	nanan.changshengqiao.tongjing.g01	{"kind":"transition","transition":{"id":"dc-t001-s1","ticket_id":"dc-t001","to":"dispatched","at":1792499640000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g01","category":"road","reported_at":1792490820000,"deadline":1792750020000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
101	transition	dc-t001-s2	nanan.changshengqiao.tongjing.g01	{"kind":"transition","transition":{"id":"dc-t001-s2","ticket_id":"dc-t001","to":"resolved","at":1792510860000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g01","category":"road","reported_at":1792490820000,"deadline":1792750020000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
102	transition	dc-t001-s3	nanan.changshengqiao.tongjing.g01	{"kind":"transition","transition":{"id":"dc-t001-s3","ticket_id":"dc-t001","to":"reopened","at":1792515960000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g01","category":"road","reported_at":1792490820000,"deadline":1792750020000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
58	ticket	dc-t001	nanan.changshengqiao.tongjing.g01	{"kind":"ticket","ticket":{"id":"dc-t001","scope":"nanan.changshengqiao.tongjing.g01","category":"road","reported_at":1792490820000,"description":"deploy-check ticket 1","location":"楼栋 7"},"deadline":1792750020000}	2026-12-02 18:36:50.805273+00
59	ticket	dc-t002	nanan.changshengqiao.tongjing.g04	{"kind":"ticket","ticket":{"id":"dc-t002","scope":"nanan.changshengqiao.tongjing.g04","category":"noise","reported_at":1792456320000,"description":"deploy-check ticket 2","location":"楼栋 21"},"deadline":1792542720000}	2026-12-02 18:36:50.805273+00
60	ticket	dc-t003	nanan.nanping.zhengjie.g01	{"kind":"ticket","ticket":{"id":"dc-t003","scope":"nanan.nanping.zhengjie.g01","category":"parking","reported_at":1792470480000,"description":"deploy-check ticket 3","location":"楼栋 10"},"deadline":1792556880000}	2026-12-02 18:36:50.805273+00
61	ticket	dc-t004	nanan.nanping.zhengjie.g03	{"kind":"ticket","ticket":{"id":"dc-t004","scope":"nanan.nanping.zhengjie.g03","category":"greening","reported_at":1792456440000,"description":"deploy-check ticket 4","location":"楼栋 23"},"deadline":1792715640000}	2026-12-02 18:36:50.805273+00
62	ticket	dc-t005	nanan.nanping.zhengjie.g04	{"kind":"ticket","ticket":{"id":"dc-t005","scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792489860000,"description":"deploy-check ticket 5","location":"楼栋 20"},"deadline":1792749060000}	2026-12-02 18:36:50.805273+00
63	ticket	dc-t006	nanan.danzishi.qunhuicun.g01	{"kind":"ticket","ticket":{"id":"dc-t006","scope":"nanan.danzishi.qunhuicun.g01","category":"parking","reported_at":1792490100000,"description":"deploy-check ticket 6","location":"楼栋 28"},"deadline":1792576500000}	2026-12-02 18:36:50.805273+00
64	ticket	dc-t007	nanan.danzishi.qunhuicun.g02	{"kind":"ticket","ticket":{"id":"dc-t007","scope":"nanan.danzishi.qunhuicun.g02","category":"road","reported_at":1792451460000,"description":"deploy-check ticket 7","location":"楼栋 9"},"deadline":1792710660000}	2026-12-02 18:36:50.805273+00
65	ticket	dc-t008	nanan.danzishi.qunhuicun.g03	{"kind":"ticket","ticket":{"id":"dc-t008","scope":"nanan.danzishi.qunhuicun.g03","category":"noise","reported_at":1792493400000,"description":"deploy-check ticket 8","location":"楼栋 13"},"deadline":1792579800000}	2026-12-02 18:36:50.805273+00
66	ticket	dc-t009	nanan.danzishi.qunhuicun.g04	{"kind":"ticket","ticket":{"id":"dc-t009","scope":"nanan.danzishi.qunhuicun.g04","category":"greening","reported_at":1792455960000,"description":"deploy-check ticket 9","location":"楼栋 18"},"deadline":1792715160000}	2026-12-02 18:36:50.805273+00
67	ticket	dc-t010	nanan.nanpingzhen.xinglong.g01	{"kind":"ticket","ticket":{"id":"dc-t010","scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":1792490760000,"description":"deploy-check ticket 10","location":"楼栋 13"},"deadline":1793095560000}	2026-12-02 18:36:50.805273+00
68	ticket	dc-t011	nanan.nanpingzhen.xinglong.g02	{"kind":"ticket","ticket":{"id":"dc-t011","scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792471260000,"description":"deploy-check ticket 11","location":"楼栋 25"},"deadline":1792644060000}	2026-12-02 18:36:50.805273+00
69	ticket	dc-t012	nanan.nanpingzhen.xinglong.g03	{"kind":"ticket","ticket":{"id":"dc-t012","scope":"nanan.nanpingzhen.xinglong.g03","category":"noise","reported_at":1792472700000,"description":"deploy-check ticket 12","location":"楼栋 2"},"deadline":1792559100000}	2026-12-02 18:36:50.805273+00
70	ticket	dc-t013	nanan.huayuanlu.jinyan.g03	{"kind":"ticket","ticket":{"id":"dc-t013","scope":"nanan.huayuanlu.jinyan.g03","category":"dispute","reported_at":1792491600000,"description":"deploy-check ticket 13","location":"楼栋 14"},"deadline":1793096400000}	2026-12-02 18:36:50.805273+00
71	ticket	dc-t014	nanan.huayuanlu.jinyan.g04	{"kind":"ticket","ticket":{"id":"dc-t014","scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792474980000,"description":"deploy-check ticket 14","location":"楼栋 24"},"deadline":1792734180000}	2026-12-02 18:36:50.805273+00
72	ticket	dc-t015	nanan.changshengqiao.tongjing.g01	{"kind":"ticket","ticket":{"id":"dc-t015","scope":"nanan.changshengqiao.tongjing.g01","category":"road","reported_at":1792577940000,"description":"deploy-check ticket 15","location":"楼栋 25"},"deadline":1792837140000}	2026-12-02 18:36:50.805273+00
73	ticket	dc-t016	nanan.changshengqiao.tongjing.g02	{"kind":"ticket","ticket":{"id":"dc-t016","scope":"nanan.changshengqiao.tongjing.g02","category":"street_light","reported_at":1792553100000,"description":"deploy-check ticket 16","location":"楼栋 11"},"deadline":1792725900000}	2026-12-02 18:36:50.805273+00
74	ticket	dc-t017	nanan.changshengqiao.tongjing.g03	{"kind":"ticket","ticket":{"id":"dc-t017","scope":"nanan.changshengqiao.tongjing.g03","category":"road","reported_at":1792540620000,"description":"deploy-check ticket 17","location":"楼栋 22"},"deadline":1792799820000}	2026-12-02 18:36:50.805273+00
75	ticket	dc-t018	nanan.changshengqiao.tongjing.g04	{"kind":"ticket","ticket":{"id":"dc-t018","scope":"nanan.changshengqiao.tongjing.g04","category":"street_light","reported_at":1792561860000,"description":"deploy-check ticket 18","location":"楼栋 25"},"deadline":1792734660000}	2026-12-02 18:36:50.805273+00
76	ticket	dc-t019	nanan.nanping.zhengjie.g03	{"kind":"ticket","ticket":{"id":"dc-t019","scope":"nanan.nanping.zhengjie.g03","category":"water","reported_at":1792555500000,"description":"deploy-check ticket 19","location":"楼栋 6"},"deadline":1792641900000}	2026-12-02 18:36:50.805273+00
77	ticket	dc-t020	nanan.nanping.zhengjie.g04	{"kind":"ticket","ticket":{"id":"dc-t020","scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792570440000,"description":"deploy-check ticket 20","location":"楼栋 4"},"deadline":1792829640000}	2026-12-02 18:36:50.805273+00
78	ticket	dc-t021	nanan.danzishi.qunhuicun.g01	{"kind":"ticket","ticket":{"id":"dc-t021","scope":"nanan.danzishi.qunhuicun.g01","category":"water","reported_at":1792548300000,"description":"deploy-check ticket 21","location":"楼栋 12"},"deadline":1792634700000}	2026-12-02 18:36:50.805273+00
79	ticket	dc-t022	nanan.danzishi.qunhuicun.g02	{"kind":"ticket","ticket":{"id":"dc-t022","scope":"nanan.danzishi.qunhuicun.g02","category":"garbage","reported_at":1792567440000,"description":"deploy-check ticket 22","location":"楼栋 10"},"deadline":1792653840000}	2026-12-02 18:36:50.805273+00
80	ticket	dc-t023	nanan.danzishi.qunhuicun.g03	{"kind":"ticket","ticket":{"id":"dc-t023","scope":"nanan.danzishi.qunhuicun.g03","category":"parking","reported_at":1792548840000,"description":"deploy-check ticket 23","location":"楼栋 15"},"deadline":1792635240000}	2026-12-02 18:36:50.805273+00
81	ticket	dc-t024	nanan.danzishi.qunhuicun.g04	{"kind":"ticket","ticket":{"id":"dc-t024","scope":"nanan.danzishi.qunhuicun.g04","category":"dispute","reported_at":1792558860000,"description":"deploy-check ticket 24","location":"楼栋 24"},"deadline":1793163660000}	2026-12-02 18:36:50.805273+00
82	ticket	dc-t025	nanan.nanpingzhen.xinglong.g01	{"kind":"ticket","ticket":{"id":"dc-t025","scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":1792563240000,"description":"deploy-check ticket 25","location":"楼栋 4"},"deadline":1793168040000}	2026-12-02 18:36:50.805273+00
83	ticket	dc-t026	nanan.nanpingzhen.xinglong.g02	{"kind":"ticket","ticket":{"id":"dc-t026","scope":"nanan.nanpingzhen.xinglong.g02","category":"road","reported_at":1792564500000,"description":"deploy-check ticket 26","location":"楼栋 18"},"deadline":1792823700000}	2026-12-02 18:36:50.805273+00
84	ticket	dc-t027	nanan.nanpingzhen.xinglong.g03	{"kind":"ticket","ticket":{"id":"dc-t027","scope":"nanan.nanpingzhen.xinglong.g03","category":"dispute","reported_at":1792547040000,"description":"deploy-check ticket 27","location":"楼栋 16"},"deadline":1793151840000}	2026-12-02 18:36:50.805273+00
85	ticket	dc-t028	nanan.nanpingzhen.xinglong.g04	{"kind":"ticket","ticket":{"id":"dc-t028","scope":"nanan.nanpingzhen.xinglong.g04","category":"parking","reported_at":1792578600000,"description":"deploy-check ticket 28","location":"楼栋 15"},"deadline":1792665000000}	2026-12-02 18:36:50.805273+00
86	ticket	dc-t029	nanan.huayuanlu.jinyan.g01	{"kind":"ticket","ticket":{"id":"dc-t029","scope":"nanan.huayuanlu.jinyan.g01","category":"water","reported_at":1792557960000,"description":"deploy-check ticket 29","location":"楼栋 18"},"deadline":1792644360000}	2026-12-02 18:36:50.805273+00
87	ticket	dc-t030	nanan.huayuanlu.jinyan.g02	{"kind":"ticket","ticket":{"id":"dc-t030","scope":"nanan.huayuanlu.jinyan.g02","category":"garbage","reported_at":1792544460000,"description":"deploy-check ticket 30","location":"楼栋 23"},"deadline":1792630860000}	2026-12-02 18:36:50.805273+00
88	ticket	dc-t031	nanan.huayuanlu.jinyan.g04	{"kind":"ticket","ticket":{"id":"dc-t031","scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792540140000,"description":"deploy-check ticket 31","location":"楼栋 28"},"deadline":1792799340000}	2026-12-02 18:36:50.805273+00
89	ticket	dc-t032	nanan.changshengqiao.tongjing.g02	{"kind":"ticket","ticket":{"id":"dc-t032","scope":"nanan.changshengqiao.tongjing.g02","category":"street_light","reported_at":1792632240000,"description":"deploy-check ticket 32","location":"楼栋 1"},"deadline":1792805040000}	2026-12-02 18:36:50.805273+00
90	ticket	dc-t033	nanan.nanping.zhengjie.g01	{"kind":"ticket","ticket":{"id":"dc-t033","scope":"nanan.nanping.zhengjie.g01","category":"water","reported_at":1792624020000,"description":"deploy-check ticket 33","location":"楼栋 16"},"deadline":1792710420000}	2026-12-02 18:36:50.805273+00
91	ticket	dc-t034	nanan.nanping.zhengjie.g02	{"kind":"ticket","ticket":{"id":"dc-t034","scope":"nanan.nanping.zhengjie.g02","category":"greening","reported_at":1792645860000,"description":"deploy-check ticket 34","location":"楼栋 27"},"deadline":1792905060000}	2026-12-02 18:36:50.805273+00
92	ticket	dc-t035	nanan.nanping.zhengjie.g04	{"kind":"ticket","ticket":{"id":"dc-t035","scope":"nanan.nanping.zhengjie.g04","category":"garbage","reported_at":1792651020000,"description":"deploy-check ticket 35","location":"楼栋 25"},"deadline":1792737420000}	2026-12-02 18:36:50.805273+00
93	ticket	dc-t036	nanan.danzishi.qunhuicun.g01	{"kind":"ticket","ticket":{"id":"dc-t036","scope":"nanan.danzishi.qunhuicun.g01","category":"garbage","reported_at":1792630620000,"description":"deploy-check ticket 36","location":"楼栋 22"},"deadline":1792717020000}	2026-12-02 18:36:50.805273+00
94	ticket	dc-t037	nanan.danzishi.qunhuicun.g02	{"kind":"ticket","ticket":{"id":"dc-t037","scope":"nanan.danzishi.qunhuicun.g02","category":"water","reported_at":1792623900000,"description":"deploy-check ticket 37","location":"楼栋 29"},"deadline":1792710300000}	2026-12-02 18:36:50.805273+00
95	ticket	dc-t038	nanan.nanpingzhen.xinglong.g02	{"kind":"ticket","ticket":{"id":"dc-t038","scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792646460000,"description":"deploy-check ticket 38","location":"楼栋 16"},"deadline":1792819260000}	2026-12-02 18:36:50.805273+00
96	ticket	dc-t039	nanan.nanpingzhen.xinglong.g04	{"kind":"ticket","ticket":{"id":"dc-t039","scope":"nanan.nanpingzhen.xinglong.g04","category":"noise","reported_at":1792654380000,"description":"deploy-check ticket 39","location":"楼栋 26"},"deadline":1792740780000}	2026-12-02 18:36:50.805273+00
97	ticket	dc-t040	nanan.huayuanlu.jinyan.g01	{"kind":"ticket","ticket":{"id":"dc-t040","scope":"nanan.huayuanlu.jinyan.g01","category":"road","reported_at":1792626300000,"description":"deploy-check ticket 40","location":"楼栋 15"},"deadline":1792885500000}	2026-12-02 18:36:50.805273+00
98	ticket	dc-t041	nanan.huayuanlu.jinyan.g02	{"kind":"ticket","ticket":{"id":"dc-t041","scope":"nanan.huayuanlu.jinyan.g02","category":"water","reported_at":1792624020000,"description":"deploy-check ticket 41","location":"楼栋 19"},"deadline":1792710420000}	2026-12-02 18:36:50.805273+00
99	ticket	dc-t042	nanan.huayuanlu.jinyan.g04	{"kind":"ticket","ticket":{"id":"dc-t042","scope":"nanan.huayuanlu.jinyan.g04","category":"water","reported_at":1792625160000,"description":"deploy-check ticket 42","location":"楼栋 2"},"deadline":1792711560000}	2026-12-02 18:36:50.805273+00
103	transition	dc-t001-s4	nanan.changshengqiao.tongjing.g01	{"kind":"transition","transition":{"id":"dc-t001-s4","ticket_id":"dc-t001","to":"dispatched","at":1792579620000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g01","category":"road","reported_at":1792490820000,"deadline":1792750020000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
104	transition	dc-t002-s1	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t002-s1","ticket_id":"dc-t002","to":"dispatched","at":1792483740000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"noise","reported_at":1792456320000,"deadline":1792542720000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
105	transition	dc-t002-s2	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t002-s2","ticket_id":"dc-t002","to":"in_progress","at":1792491120000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"noise","reported_at":1792456320000,"deadline":1792542720000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
106	transition	dc-t002-s3	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t002-s3","ticket_id":"dc-t002","to":"resolved","at":1792511760000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"noise","reported_at":1792456320000,"deadline":1792542720000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
107	transition	dc-t002-s4	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t002-s4","ticket_id":"dc-t002","to":"reopened","at":1792604160000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"noise","reported_at":1792456320000,"deadline":1792542720000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
108	transition	dc-t002-s5	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t002-s5","ticket_id":"dc-t002","to":"resolved","at":1792662540000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"noise","reported_at":1792456320000,"deadline":1792542720000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
109	transition	dc-t002-s6	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t002-s6","ticket_id":"dc-t002","to":"closed","at":1792697520000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"noise","reported_at":1792456320000,"deadline":1792542720000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
110	transition	dc-t003-s1	nanan.nanping.zhengjie.g01	{"kind":"transition","transition":{"id":"dc-t003-s1","ticket_id":"dc-t003","to":"dispatched","at":1792483080000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g01","category":"parking","reported_at":1792470480000,"deadline":1792556880000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
111	transition	dc-t003-s2	nanan.nanping.zhengjie.g01	{"kind":"transition","transition":{"id":"dc-t003-s2","ticket_id":"dc-t003","to":"in_progress","at":1792529340000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g01","category":"parking","reported_at":1792470480000,"deadline":1792556880000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
112	transition	dc-t004-s1	nanan.nanping.zhengjie.g03	{"kind":"transition","transition":{"id":"dc-t004-s1","ticket_id":"dc-t004","to":"resolved","at":1792458420000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g03","category":"greening","reported_at":1792456440000,"deadline":1792715640000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
113	transition	dc-t005-s1	nanan.nanping.zhengjie.g04	{"kind":"transition","transition":{"id":"dc-t005-s1","ticket_id":"dc-t005","to":"dispatched","at":1792573620000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792489860000,"deadline":1792749060000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
114	transition	dc-t005-s2	nanan.nanping.zhengjie.g04	{"kind":"transition","transition":{"id":"dc-t005-s2","ticket_id":"dc-t005","to":"in_progress","at":1792623900000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792489860000,"deadline":1792749060000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
115	transition	dc-t006-s1	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t006-s1","ticket_id":"dc-t006","to":"dispatched","at":1792512480000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"parking","reported_at":1792490100000,"deadline":1792576500000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
116	transition	dc-t006-s2	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t006-s2","ticket_id":"dc-t006","to":"in_progress","at":1792527900000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"parking","reported_at":1792490100000,"deadline":1792576500000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
117	transition	dc-t006-s3	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t006-s3","ticket_id":"dc-t006","to":"resolved","at":1792586100000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"parking","reported_at":1792490100000,"deadline":1792576500000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
118	transition	dc-t006-s4	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t006-s4","ticket_id":"dc-t006","to":"closed","at":1792657380000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"parking","reported_at":1792490100000,"deadline":1792576500000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
119	transition	dc-t007-s1	nanan.danzishi.qunhuicun.g02	{"kind":"transition","transition":{"id":"dc-t007-s1","ticket_id":"dc-t007","to":"dispatched","at":1792534620000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g02","category":"road","reported_at":1792451460000,"deadline":1792710660000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
120	transition	dc-t007-s2	nanan.danzishi.qunhuicun.g02	{"kind":"transition","transition":{"id":"dc-t007-s2","ticket_id":"dc-t007","to":"resolved","at":1792619100000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g02","category":"road","reported_at":1792451460000,"deadline":1792710660000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
121	transition	dc-t008-s1	nanan.danzishi.qunhuicun.g03	{"kind":"transition","transition":{"id":"dc-t008-s1","ticket_id":"dc-t008","to":"dispatched","at":1792535400000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g03","category":"noise","reported_at":1792493400000,"deadline":1792579800000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
122	transition	dc-t008-s2	nanan.danzishi.qunhuicun.g03	{"kind":"transition","transition":{"id":"dc-t008-s2","ticket_id":"dc-t008","to":"resolved","at":1792590540000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g03","category":"noise","reported_at":1792493400000,"deadline":1792579800000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
123	transition	dc-t008-s3	nanan.danzishi.qunhuicun.g03	{"kind":"transition","transition":{"id":"dc-t008-s3","ticket_id":"dc-t008","to":"reopened","at":1792624500000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g03","category":"noise","reported_at":1792493400000,"deadline":1792579800000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
124	transition	dc-t008-s4	nanan.danzishi.qunhuicun.g03	{"kind":"transition","transition":{"id":"dc-t008-s4","ticket_id":"dc-t008","to":"dispatched","at":1792685400000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g03","category":"noise","reported_at":1792493400000,"deadline":1792579800000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
125	transition	dc-t009-s1	nanan.danzishi.qunhuicun.g04	{"kind":"transition","transition":{"id":"dc-t009-s1","ticket_id":"dc-t009","to":"dispatched","at":1792529100000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g04","category":"greening","reported_at":1792455960000,"deadline":1792715160000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
126	transition	dc-t009-s2	nanan.danzishi.qunhuicun.g04	{"kind":"transition","transition":{"id":"dc-t009-s2","ticket_id":"dc-t009","to":"resolved","at":1792533180000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g04","category":"greening","reported_at":1792455960000,"deadline":1792715160000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
127	transition	dc-t009-s3	nanan.danzishi.qunhuicun.g04	{"kind":"transition","transition":{"id":"dc-t009-s3","ticket_id":"dc-t009","to":"closed","at":1792589460000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g04","category":"greening","reported_at":1792455960000,"deadline":1792715160000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
128	transition	dc-t011-s1	nanan.nanpingzhen.xinglong.g02	{"kind":"transition","transition":{"id":"dc-t011-s1","ticket_id":"dc-t011","to":"dispatched","at":1792507320000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792471260000,"deadline":1792644060000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
129	transition	dc-t011-s2	nanan.nanpingzhen.xinglong.g02	{"kind":"transition","transition":{"id":"dc-t011-s2","ticket_id":"dc-t011","to":"in_progress","at":1792570860000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792471260000,"deadline":1792644060000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
130	transition	dc-t011-s3	nanan.nanpingzhen.xinglong.g02	{"kind":"transition","transition":{"id":"dc-t011-s3","ticket_id":"dc-t011","to":"resolved","at":1792670640000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792471260000,"deadline":1792644060000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
131	transition	dc-t011-s4	nanan.nanpingzhen.xinglong.g02	{"kind":"transition","transition":{"id":"dc-t011-s4","ticket_id":"dc-t011","to":"reopened","at":1792679640000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792471260000,"deadline":1792644060000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
132	transition	dc-t011-s5	nanan.nanpingzhen.xinglong.g02	{"kind":"transition","transition":{"id":"dc-t011-s5","ticket_id":"dc-t011","to":"resolved","at":1792758540000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792471260000,"deadline":1792644060000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
133	transition	dc-t011-s6	nanan.nanpingzhen.xinglong.g02	{"kind":"transition","transition":{"id":"dc-t011-s6","ticket_id":"dc-t011","to":"closed","at":1792783320000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792471260000,"deadline":1792644060000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
134	transition	dc-t012-s1	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t012-s1","ticket_id":"dc-t012","to":"dispatched","at":1792560960000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"noise","reported_at":1792472700000,"deadline":1792559100000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
135	transition	dc-t012-s2	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t012-s2","ticket_id":"dc-t012","to":"in_progress","at":1792649820000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"noise","reported_at":1792472700000,"deadline":1792559100000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
136	transition	dc-t012-s3	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t012-s3","ticket_id":"dc-t012","to":"resolved","at":1792663740000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"noise","reported_at":1792472700000,"deadline":1792559100000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
137	transition	dc-t012-s4	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t012-s4","ticket_id":"dc-t012","to":"reopened","at":1792731480000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"noise","reported_at":1792472700000,"deadline":1792559100000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
138	transition	dc-t012-s5	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t012-s5","ticket_id":"dc-t012","to":"resolved","at":1792744380000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"noise","reported_at":1792472700000,"deadline":1792559100000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
139	transition	dc-t012-s6	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t012-s6","ticket_id":"dc-t012","to":"closed","at":1792781820000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"noise","reported_at":1792472700000,"deadline":1792559100000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
140	transition	dc-t013-s1	nanan.huayuanlu.jinyan.g03	{"kind":"transition","transition":{"id":"dc-t013-s1","ticket_id":"dc-t013","to":"resolved","at":1792503780000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g03","category":"dispute","reported_at":1792491600000,"deadline":1793096400000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
141	transition	dc-t014-s1	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t014-s1","ticket_id":"dc-t014","to":"dispatched","at":1792480620000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792474980000,"deadline":1792734180000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
142	transition	dc-t014-s2	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t014-s2","ticket_id":"dc-t014","to":"resolved","at":1792523220000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792474980000,"deadline":1792734180000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
143	transition	dc-t014-s3	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t014-s3","ticket_id":"dc-t014","to":"reopened","at":1792576140000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792474980000,"deadline":1792734180000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
144	transition	dc-t014-s4	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t014-s4","ticket_id":"dc-t014","to":"dispatched","at":1792596900000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792474980000,"deadline":1792734180000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
145	transition	dc-t015-s1	nanan.changshengqiao.tongjing.g01	{"kind":"transition","transition":{"id":"dc-t015-s1","ticket_id":"dc-t015","to":"dispatched","at":1792664220000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g01","category":"road","reported_at":1792577940000,"deadline":1792837140000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
146	transition	dc-t016-s1	nanan.changshengqiao.tongjing.g02	{"kind":"transition","transition":{"id":"dc-t016-s1","ticket_id":"dc-t016","to":"dispatched","at":1792575660000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g02","category":"street_light","reported_at":1792553100000,"deadline":1792725900000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
147	transition	dc-t017-s1	nanan.changshengqiao.tongjing.g03	{"kind":"transition","transition":{"id":"dc-t017-s1","ticket_id":"dc-t017","to":"dispatched","at":1792555440000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g03","category":"road","reported_at":1792540620000,"deadline":1792799820000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
148	transition	dc-t017-s2	nanan.changshengqiao.tongjing.g03	{"kind":"transition","transition":{"id":"dc-t017-s2","ticket_id":"dc-t017","to":"in_progress","at":1792654320000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g03","category":"road","reported_at":1792540620000,"deadline":1792799820000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
149	transition	dc-t017-s3	nanan.changshengqiao.tongjing.g03	{"kind":"transition","transition":{"id":"dc-t017-s3","ticket_id":"dc-t017","to":"resolved","at":1792696620000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g03","category":"road","reported_at":1792540620000,"deadline":1792799820000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
150	transition	dc-t017-s4	nanan.changshengqiao.tongjing.g03	{"kind":"transition","transition":{"id":"dc-t017-s4","ticket_id":"dc-t017","to":"reopened","at":1792746420000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g03","category":"road","reported_at":1792540620000,"deadline":1792799820000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
151	transition	dc-t017-s5	nanan.changshengqiao.tongjing.g03	{"kind":"transition","transition":{"id":"dc-t017-s5","ticket_id":"dc-t017","to":"resolved","at":1792852980000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g03","category":"road","reported_at":1792540620000,"deadline":1792799820000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
152	transition	dc-t017-s6	nanan.changshengqiao.tongjing.g03	{"kind":"transition","transition":{"id":"dc-t017-s6","ticket_id":"dc-t017","to":"closed","at":1792953300000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g03","category":"road","reported_at":1792540620000,"deadline":1792799820000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
153	transition	dc-t018-s1	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t018-s1","ticket_id":"dc-t018","to":"dispatched","at":1792636920000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"street_light","reported_at":1792561860000,"deadline":1792734660000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
154	transition	dc-t018-s2	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t018-s2","ticket_id":"dc-t018","to":"resolved","at":1792640400000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"street_light","reported_at":1792561860000,"deadline":1792734660000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
155	transition	dc-t018-s3	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t018-s3","ticket_id":"dc-t018","to":"closed","at":1792686900000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"street_light","reported_at":1792561860000,"deadline":1792734660000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
156	transition	dc-t019-s1	nanan.nanping.zhengjie.g03	{"kind":"transition","transition":{"id":"dc-t019-s1","ticket_id":"dc-t019","to":"dispatched","at":1792653600000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g03","category":"water","reported_at":1792555500000,"deadline":1792641900000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
157	transition	dc-t019-s2	nanan.nanping.zhengjie.g03	{"kind":"transition","transition":{"id":"dc-t019-s2","ticket_id":"dc-t019","to":"in_progress","at":1792736100000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g03","category":"water","reported_at":1792555500000,"deadline":1792641900000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
158	transition	dc-t020-s1	nanan.nanping.zhengjie.g04	{"kind":"transition","transition":{"id":"dc-t020-s1","ticket_id":"dc-t020","to":"dispatched","at":1792607940000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792570440000,"deadline":1792829640000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
159	transition	dc-t020-s2	nanan.nanping.zhengjie.g04	{"kind":"transition","transition":{"id":"dc-t020-s2","ticket_id":"dc-t020","to":"in_progress","at":1792682400000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792570440000,"deadline":1792829640000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
160	transition	dc-t020-s3	nanan.nanping.zhengjie.g04	{"kind":"transition","transition":{"id":"dc-t020-s3","ticket_id":"dc-t020","to":"resolved","at":1792754880000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792570440000,"deadline":1792829640000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
161	transition	dc-t020-s4	nanan.nanping.zhengjie.g04	{"kind":"transition","transition":{"id":"dc-t020-s4","ticket_id":"dc-t020","to":"reopened","at":1792800240000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792570440000,"deadline":1792829640000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
162	transition	dc-t020-s5	nanan.nanping.zhengjie.g04	{"kind":"transition","transition":{"id":"dc-t020-s5","ticket_id":"dc-t020","to":"resolved","at":1792896720000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792570440000,"deadline":1792829640000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
163	transition	dc-t020-s6	nanan.nanping.zhengjie.g04	{"kind":"transition","transition":{"id":"dc-t020-s6","ticket_id":"dc-t020","to":"closed","at":1792921080000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g04","category":"greening","reported_at":1792570440000,"deadline":1792829640000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
164	transition	dc-t021-s1	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t021-s1","ticket_id":"dc-t021","to":"dispatched","at":1792571880000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"water","reported_at":1792548300000,"deadline":1792634700000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
165	transition	dc-t021-s2	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t021-s2","ticket_id":"dc-t021","to":"resolved","at":1792602060000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"water","reported_at":1792548300000,"deadline":1792634700000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
166	transition	dc-t021-s3	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t021-s3","ticket_id":"dc-t021","to":"reopened","at":1792625640000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"water","reported_at":1792548300000,"deadline":1792634700000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
167	transition	dc-t021-s4	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t021-s4","ticket_id":"dc-t021","to":"dispatched","at":1792646400000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"water","reported_at":1792548300000,"deadline":1792634700000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
168	transition	dc-t022-s1	nanan.danzishi.qunhuicun.g02	{"kind":"transition","transition":{"id":"dc-t022-s1","ticket_id":"dc-t022","to":"resolved","at":1792670340000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g02","category":"garbage","reported_at":1792567440000,"deadline":1792653840000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
169	transition	dc-t023-s1	nanan.danzishi.qunhuicun.g03	{"kind":"transition","transition":{"id":"dc-t023-s1","ticket_id":"dc-t023","to":"dispatched","at":1792644000000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g03","category":"parking","reported_at":1792548840000,"deadline":1792635240000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
170	transition	dc-t023-s2	nanan.danzishi.qunhuicun.g03	{"kind":"transition","transition":{"id":"dc-t023-s2","ticket_id":"dc-t023","to":"resolved","at":1792746480000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g03","category":"parking","reported_at":1792548840000,"deadline":1792635240000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
171	transition	dc-t024-s1	nanan.danzishi.qunhuicun.g04	{"kind":"transition","transition":{"id":"dc-t024-s1","ticket_id":"dc-t024","to":"dispatched","at":1792624140000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g04","category":"dispute","reported_at":1792558860000,"deadline":1793163660000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
172	transition	dc-t024-s2	nanan.danzishi.qunhuicun.g04	{"kind":"transition","transition":{"id":"dc-t024-s2","ticket_id":"dc-t024","to":"resolved","at":1792660260000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g04","category":"dispute","reported_at":1792558860000,"deadline":1793163660000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
173	transition	dc-t024-s3	nanan.danzishi.qunhuicun.g04	{"kind":"transition","transition":{"id":"dc-t024-s3","ticket_id":"dc-t024","to":"reopened","at":1792724580000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g04","category":"dispute","reported_at":1792558860000,"deadline":1793163660000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
174	transition	dc-t024-s4	nanan.danzishi.qunhuicun.g04	{"kind":"transition","transition":{"id":"dc-t024-s4","ticket_id":"dc-t024","to":"dispatched","at":1792793340000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g04","category":"dispute","reported_at":1792558860000,"deadline":1793163660000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
175	transition	dc-t025-s1	nanan.nanpingzhen.xinglong.g01	{"kind":"transition","transition":{"id":"dc-t025-s1","ticket_id":"dc-t025","to":"dispatched","at":1792576740000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":1792563240000,"deadline":1793168040000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
176	transition	dc-t025-s2	nanan.nanpingzhen.xinglong.g01	{"kind":"transition","transition":{"id":"dc-t025-s2","ticket_id":"dc-t025","to":"in_progress","at":1792594380000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":1792563240000,"deadline":1793168040000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
177	transition	dc-t025-s3	nanan.nanpingzhen.xinglong.g01	{"kind":"transition","transition":{"id":"dc-t025-s3","ticket_id":"dc-t025","to":"resolved","at":1792686000000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":1792563240000,"deadline":1793168040000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
178	transition	dc-t025-s4	nanan.nanpingzhen.xinglong.g01	{"kind":"transition","transition":{"id":"dc-t025-s4","ticket_id":"dc-t025","to":"reopened","at":1792696800000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":1792563240000,"deadline":1793168040000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
179	transition	dc-t025-s5	nanan.nanpingzhen.xinglong.g01	{"kind":"transition","transition":{"id":"dc-t025-s5","ticket_id":"dc-t025","to":"resolved","at":1792737660000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":1792563240000,"deadline":1793168040000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
180	transition	dc-t025-s6	nanan.nanpingzhen.xinglong.g01	{"kind":"transition","transition":{"id":"dc-t025-s6","ticket_id":"dc-t025","to":"closed","at":1792845480000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":1792563240000,"deadline":1793168040000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
181	transition	dc-t026-s1	nanan.nanpingzhen.xinglong.g02	{"kind":"transition","transition":{"id":"dc-t026-s1","ticket_id":"dc-t026","to":"dispatched","at":1792640520000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g02","category":"road","reported_at":1792564500000,"deadline":1792823700000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
182	transition	dc-t027-s1	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t027-s1","ticket_id":"dc-t027","to":"dispatched","at":1792649700000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"dispute","reported_at":1792547040000,"deadline":1793151840000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
183	transition	dc-t027-s2	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t027-s2","ticket_id":"dc-t027","to":"in_progress","at":1792756740000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"dispute","reported_at":1792547040000,"deadline":1793151840000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
184	transition	dc-t027-s3	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t027-s3","ticket_id":"dc-t027","to":"resolved","at":1792852380000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"dispute","reported_at":1792547040000,"deadline":1793151840000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
185	transition	dc-t027-s4	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t027-s4","ticket_id":"dc-t027","to":"reopened","at":1792874400000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"dispute","reported_at":1792547040000,"deadline":1793151840000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
186	transition	dc-t027-s5	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t027-s5","ticket_id":"dc-t027","to":"resolved","at":1792909200000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"dispute","reported_at":1792547040000,"deadline":1793151840000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
187	transition	dc-t027-s6	nanan.nanpingzhen.xinglong.g03	{"kind":"transition","transition":{"id":"dc-t027-s6","ticket_id":"dc-t027","to":"closed","at":1792943460000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g03","category":"dispute","reported_at":1792547040000,"deadline":1793151840000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
188	transition	dc-t029-s1	nanan.huayuanlu.jinyan.g01	{"kind":"transition","transition":{"id":"dc-t029-s1","ticket_id":"dc-t029","to":"dispatched","at":1792575720000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g01","category":"water","reported_at":1792557960000,"deadline":1792644360000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
189	transition	dc-t029-s2	nanan.huayuanlu.jinyan.g01	{"kind":"transition","transition":{"id":"dc-t029-s2","ticket_id":"dc-t029","to":"in_progress","at":1792681800000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g01","category":"water","reported_at":1792557960000,"deadline":1792644360000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
190	transition	dc-t029-s3	nanan.huayuanlu.jinyan.g01	{"kind":"transition","transition":{"id":"dc-t029-s3","ticket_id":"dc-t029","to":"resolved","at":1792711140000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g01","category":"water","reported_at":1792557960000,"deadline":1792644360000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
191	transition	dc-t029-s4	nanan.huayuanlu.jinyan.g01	{"kind":"transition","transition":{"id":"dc-t029-s4","ticket_id":"dc-t029","to":"reopened","at":1792780200000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g01","category":"water","reported_at":1792557960000,"deadline":1792644360000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
192	transition	dc-t029-s5	nanan.huayuanlu.jinyan.g01	{"kind":"transition","transition":{"id":"dc-t029-s5","ticket_id":"dc-t029","to":"resolved","at":1792868700000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g01","category":"water","reported_at":1792557960000,"deadline":1792644360000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
193	transition	dc-t029-s6	nanan.huayuanlu.jinyan.g01	{"kind":"transition","transition":{"id":"dc-t029-s6","ticket_id":"dc-t029","to":"closed","at":1792959780000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g01","category":"water","reported_at":1792557960000,"deadline":1792644360000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
194	transition	dc-t030-s1	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t030-s1","ticket_id":"dc-t030","to":"dispatched","at":1792585020000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"garbage","reported_at":1792544460000,"deadline":1792630860000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
195	transition	dc-t030-s2	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t030-s2","ticket_id":"dc-t030","to":"in_progress","at":1792600320000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"garbage","reported_at":1792544460000,"deadline":1792630860000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
196	transition	dc-t030-s3	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t030-s3","ticket_id":"dc-t030","to":"resolved","at":1792695120000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"garbage","reported_at":1792544460000,"deadline":1792630860000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
197	transition	dc-t030-s4	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t030-s4","ticket_id":"dc-t030","to":"reopened","at":1792698600000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"garbage","reported_at":1792544460000,"deadline":1792630860000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
198	transition	dc-t030-s5	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t030-s5","ticket_id":"dc-t030","to":"resolved","at":1792769340000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"garbage","reported_at":1792544460000,"deadline":1792630860000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
199	transition	dc-t030-s6	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t030-s6","ticket_id":"dc-t030","to":"closed","at":1792772160000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"garbage","reported_at":1792544460000,"deadline":1792630860000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
200	transition	dc-t031-s1	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t031-s1","ticket_id":"dc-t031","to":"dispatched","at":1792549260000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792540140000,"deadline":1792799340000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
201	transition	dc-t031-s2	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t031-s2","ticket_id":"dc-t031","to":"in_progress","at":1792588800000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792540140000,"deadline":1792799340000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
202	transition	dc-t031-s3	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t031-s3","ticket_id":"dc-t031","to":"resolved","at":1792638360000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792540140000,"deadline":1792799340000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
203	transition	dc-t031-s4	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t031-s4","ticket_id":"dc-t031","to":"reopened","at":1792692840000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792540140000,"deadline":1792799340000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
204	transition	dc-t031-s5	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t031-s5","ticket_id":"dc-t031","to":"resolved","at":1792720080000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792540140000,"deadline":1792799340000},"from":"reopened","late":false}	2026-12-02 18:36:50.838827+00
205	transition	dc-t031-s6	nanan.huayuanlu.jinyan.g04	{"kind":"transition","transition":{"id":"dc-t031-s6","ticket_id":"dc-t031","to":"closed","at":1792724160000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g04","category":"road","reported_at":1792540140000,"deadline":1792799340000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
206	transition	dc-t032-s1	nanan.changshengqiao.tongjing.g02	{"kind":"transition","transition":{"id":"dc-t032-s1","ticket_id":"dc-t032","to":"dispatched","at":1792657620000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g02","category":"street_light","reported_at":1792632240000,"deadline":1792805040000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
207	transition	dc-t033-s1	nanan.nanping.zhengjie.g01	{"kind":"transition","transition":{"id":"dc-t033-s1","ticket_id":"dc-t033","to":"dispatched","at":1792685280000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g01","category":"water","reported_at":1792624020000,"deadline":1792710420000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
208	transition	dc-t033-s2	nanan.nanping.zhengjie.g01	{"kind":"transition","transition":{"id":"dc-t033-s2","ticket_id":"dc-t033","to":"resolved","at":1792779600000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g01","category":"water","reported_at":1792624020000,"deadline":1792710420000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
209	transition	dc-t033-s3	nanan.nanping.zhengjie.g01	{"kind":"transition","transition":{"id":"dc-t033-s3","ticket_id":"dc-t033","to":"closed","at":1792879140000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g01","category":"water","reported_at":1792624020000,"deadline":1792710420000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
210	transition	dc-t034-s1	nanan.nanping.zhengjie.g02	{"kind":"transition","transition":{"id":"dc-t034-s1","ticket_id":"dc-t034","to":"dispatched","at":1792720320000,"assignee":"worker-03","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g02","category":"greening","reported_at":1792645860000,"deadline":1792905060000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
211	transition	dc-t034-s2	nanan.nanping.zhengjie.g02	{"kind":"transition","transition":{"id":"dc-t034-s2","ticket_id":"dc-t034","to":"resolved","at":1792783800000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g02","category":"greening","reported_at":1792645860000,"deadline":1792905060000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
212	transition	dc-t034-s3	nanan.nanping.zhengjie.g02	{"kind":"transition","transition":{"id":"dc-t034-s3","ticket_id":"dc-t034","to":"closed","at":1792808460000,"assignee":"worker-08","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g02","category":"greening","reported_at":1792645860000,"deadline":1792905060000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
213	transition	dc-t035-s1	nanan.nanping.zhengjie.g04	{"kind":"transition","transition":{"id":"dc-t035-s1","ticket_id":"dc-t035","to":"resolved","at":1792671720000,"assignee":"worker-07","note":""},"ticket":{"scope":"nanan.nanping.zhengjie.g04","category":"garbage","reported_at":1792651020000,"deadline":1792737420000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
214	transition	dc-t036-s1	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t036-s1","ticket_id":"dc-t036","to":"dispatched","at":1792654740000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"garbage","reported_at":1792630620000,"deadline":1792717020000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
215	transition	dc-t036-s2	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t036-s2","ticket_id":"dc-t036","to":"in_progress","at":1792756680000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"garbage","reported_at":1792630620000,"deadline":1792717020000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
216	transition	dc-t036-s3	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t036-s3","ticket_id":"dc-t036","to":"resolved","at":1792799040000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"garbage","reported_at":1792630620000,"deadline":1792717020000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
217	transition	dc-t036-s4	nanan.danzishi.qunhuicun.g01	{"kind":"transition","transition":{"id":"dc-t036-s4","ticket_id":"dc-t036","to":"closed","at":1792892760000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g01","category":"garbage","reported_at":1792630620000,"deadline":1792717020000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
218	transition	dc-t037-s1	nanan.danzishi.qunhuicun.g02	{"kind":"transition","transition":{"id":"dc-t037-s1","ticket_id":"dc-t037","to":"dispatched","at":1792705080000,"assignee":"worker-06","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g02","category":"water","reported_at":1792623900000,"deadline":1792710300000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
219	transition	dc-t037-s2	nanan.danzishi.qunhuicun.g02	{"kind":"transition","transition":{"id":"dc-t037-s2","ticket_id":"dc-t037","to":"in_progress","at":1792770780000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g02","category":"water","reported_at":1792623900000,"deadline":1792710300000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
220	transition	dc-t037-s3	nanan.danzishi.qunhuicun.g02	{"kind":"transition","transition":{"id":"dc-t037-s3","ticket_id":"dc-t037","to":"resolved","at":1792852080000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g02","category":"water","reported_at":1792623900000,"deadline":1792710300000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
221	transition	dc-t037-s4	nanan.danzishi.qunhuicun.g02	{"kind":"transition","transition":{"id":"dc-t037-s4","ticket_id":"dc-t037","to":"closed","at":1792950240000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.danzishi.qunhuicun.g02","category":"water","reported_at":1792623900000,"deadline":1792710300000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
222	transition	dc-t038-s1	nanan.nanpingzhen.xinglong.g02	{"kind":"transition","transition":{"id":"dc-t038-s1","ticket_id":"dc-t038","to":"dispatched","at":1792661040000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792646460000,"deadline":1792819260000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
223	transition	dc-t038-s2	nanan.nanpingzhen.xinglong.g02	{"kind":"transition","transition":{"id":"dc-t038-s2","ticket_id":"dc-t038","to":"in_progress","at":1792758240000,"assignee":"worker-01","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g02","category":"street_light","reported_at":1792646460000,"deadline":1792819260000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
224	transition	dc-t039-s1	nanan.nanpingzhen.xinglong.g04	{"kind":"transition","transition":{"id":"dc-t039-s1","ticket_id":"dc-t039","to":"resolved","at":1792655940000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.nanpingzhen.xinglong.g04","category":"noise","reported_at":1792654380000,"deadline":1792740780000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
225	transition	dc-t041-s1	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t041-s1","ticket_id":"dc-t041","to":"dispatched","at":1792630380000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"water","reported_at":1792624020000,"deadline":1792710420000},"from":"reported","late":false}	2026-12-02 18:36:50.838827+00
226	transition	dc-t041-s2	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t041-s2","ticket_id":"dc-t041","to":"in_progress","at":1792733160000,"assignee":"worker-05","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"water","reported_at":1792624020000,"deadline":1792710420000},"from":"dispatched","late":false}	2026-12-02 18:36:50.838827+00
227	transition	dc-t041-s3	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t041-s3","ticket_id":"dc-t041","to":"resolved","at":1792807320000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"water","reported_at":1792624020000,"deadline":1792710420000},"from":"in_progress","late":false}	2026-12-02 18:36:50.838827+00
228	transition	dc-t041-s4	nanan.huayuanlu.jinyan.g02	{"kind":"transition","transition":{"id":"dc-t041-s4","ticket_id":"dc-t041","to":"closed","at":1792878540000,"assignee":"worker-02","note":""},"ticket":{"scope":"nanan.huayuanlu.jinyan.g02","category":"water","reported_at":1792624020000,"deadline":1792710420000},"from":"resolved","late":false}	2026-12-02 18:36:50.838827+00
229	transition	dc-t002-s6-late	nanan.changshengqiao.tongjing.g04	{"kind":"transition","transition":{"id":"dc-t002-s6-late","ticket_id":"dc-t002","to":"reopened","at":1792690320000,"assignee":"worker-04","note":""},"ticket":{"scope":"nanan.changshengqiao.tongjing.g04","category":"noise","reported_at":1792456320000,"deadline":1792542720000},"from":"closed","late":true}	2026-12-02 18:36:50.838827+00
\.


--
-- Data for Name: scopes; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.scopes (id, name, theme, registered_at, households) FROM stdin;
nanan	南岸区	\N	2026-12-02 18:36:49.990941+00	\N
nanan.changshengqiao	长生桥镇	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanping	南坪街道	\N	2026-12-02 18:36:49.990941+00	\N
nanan.danzishi	弹子石街道	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanpingzhen	南坪镇	\N	2026-12-02 18:36:49.990941+00	\N
nanan.huayuanlu	花园路街道	\N	2026-12-02 18:36:49.990941+00	\N
nanan.changshengqiao.tongjing	同景社区	health	2026-12-02 18:36:49.990941+00	7300
nanan.nanping.zhengjie	正街社区	heritage	2026-12-02 18:36:49.990941+00	4200
nanan.danzishi.qunhuicun	群慧村社区	smart	2026-12-02 18:36:49.990941+00	3500
nanan.nanpingzhen.xinglong	兴隆社区	rule-of-law	2026-12-02 18:36:49.990941+00	9000
nanan.huayuanlu.jinyan	金堰社区	home	2026-12-02 18:36:49.990941+00	5600
nanan.changshengqiao.tongjing.g01	第一网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.changshengqiao.tongjing.g02	第二网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.changshengqiao.tongjing.g03	第三网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.changshengqiao.tongjing.g04	第四网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanping.zhengjie.g01	第一网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanping.zhengjie.g02	第二网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanping.zhengjie.g03	第三网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanping.zhengjie.g04	第四网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.danzishi.qunhuicun.g01	第一网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.danzishi.qunhuicun.g02	第二网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.danzishi.qunhuicun.g03	第三网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.danzishi.qunhuicun.g04	第四网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanpingzhen.xinglong.g01	第一网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanpingzhen.xinglong.g02	第二网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanpingzhen.xinglong.g03	第三网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.nanpingzhen.xinglong.g04	第四网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.huayuanlu.jinyan.g01	第一网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.huayuanlu.jinyan.g02	第二网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.huayuanlu.jinyan.g03	第三网格	\N	2026-12-02 18:36:49.990941+00	\N
nanan.huayuanlu.jinyan.g04	第四网格	\N	2026-12-02 18:36:49.990941+00	\N
\.


--
-- Data for Name: tickets; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tickets (id, scope, category, reported_at, deadline, status, last_at) FROM stdin;
dc-t010	nanan.nanpingzhen.xinglong.g01	dispute	1792490760000	1793095560000	reported	1792490760000
dc-t042	nanan.huayuanlu.jinyan.g04	water	1792625160000	1792711560000	reported	1792625160000
dc-t028	nanan.nanpingzhen.xinglong.g04	parking	1792578600000	1792665000000	reported	1792578600000
dc-t040	nanan.huayuanlu.jinyan.g01	road	1792626300000	1792885500000	reported	1792626300000
dc-t015	nanan.changshengqiao.tongjing.g01	road	1792577940000	1792837140000	dispatched	1792664220000
dc-t023	nanan.danzishi.qunhuicun.g03	parking	1792548840000	1792635240000	resolved	1792746480000
dc-t037	nanan.danzishi.qunhuicun.g02	water	1792623900000	1792710300000	closed	1792950240000
dc-t017	nanan.changshengqiao.tongjing.g03	road	1792540620000	1792799820000	closed	1792953300000
dc-t018	nanan.changshengqiao.tongjing.g04	street_light	1792561860000	1792734660000	closed	1792686900000
dc-t024	nanan.danzishi.qunhuicun.g04	dispute	1792558860000	1793163660000	dispatched	1792793340000
dc-t036	nanan.danzishi.qunhuicun.g01	garbage	1792630620000	1792717020000	closed	1792892760000
dc-t012	nanan.nanpingzhen.xinglong.g03	noise	1792472700000	1792559100000	closed	1792781820000
dc-t004	nanan.nanping.zhengjie.g03	greening	1792456440000	1792715640000	resolved	1792458420000
dc-t019	nanan.nanping.zhengjie.g03	water	1792555500000	1792641900000	in_progress	1792736100000
dc-t014	nanan.huayuanlu.jinyan.g04	road	1792474980000	1792734180000	dispatched	1792596900000
dc-t013	nanan.huayuanlu.jinyan.g03	dispute	1792491600000	1793096400000	resolved	1792503780000
dc-t031	nanan.huayuanlu.jinyan.g04	road	1792540140000	1792799340000	closed	1792724160000
dc-t041	nanan.huayuanlu.jinyan.g02	water	1792624020000	1792710420000	closed	1792878540000
dc-t025	nanan.nanpingzhen.xinglong.g01	dispute	1792563240000	1793168040000	closed	1792845480000
dc-t001	nanan.changshengqiao.tongjing.g01	road	1792490820000	1792750020000	dispatched	1792579620000
dc-t020	nanan.nanping.zhengjie.g04	greening	1792570440000	1792829640000	closed	1792921080000
dc-t029	nanan.huayuanlu.jinyan.g01	water	1792557960000	1792644360000	closed	1792959780000
dc-t027	nanan.nanpingzhen.xinglong.g03	dispute	1792547040000	1793151840000	closed	1792943460000
dc-t011	nanan.nanpingzhen.xinglong.g02	street_light	1792471260000	1792644060000	closed	1792783320000
dc-t006	nanan.danzishi.qunhuicun.g01	parking	1792490100000	1792576500000	closed	1792657380000
dc-t003	nanan.nanping.zhengjie.g01	parking	1792470480000	1792556880000	in_progress	1792529340000
dc-t026	nanan.nanpingzhen.xinglong.g02	road	1792564500000	1792823700000	dispatched	1792640520000
dc-t016	nanan.changshengqiao.tongjing.g02	street_light	1792553100000	1792725900000	dispatched	1792575660000
dc-t038	nanan.nanpingzhen.xinglong.g02	street_light	1792646460000	1792819260000	in_progress	1792758240000
dc-t009	nanan.danzishi.qunhuicun.g04	greening	1792455960000	1792715160000	closed	1792589460000
dc-t034	nanan.nanping.zhengjie.g02	greening	1792645860000	1792905060000	closed	1792808460000
dc-t039	nanan.nanpingzhen.xinglong.g04	noise	1792654380000	1792740780000	resolved	1792655940000
dc-t002	nanan.changshengqiao.tongjing.g04	noise	1792456320000	1792542720000	closed	1792697520000
dc-t021	nanan.danzishi.qunhuicun.g01	water	1792548300000	1792634700000	dispatched	1792646400000
dc-t030	nanan.huayuanlu.jinyan.g02	garbage	1792544460000	1792630860000	closed	1792772160000
dc-t033	nanan.nanping.zhengjie.g01	water	1792624020000	1792710420000	closed	1792879140000
dc-t035	nanan.nanping.zhengjie.g04	garbage	1792651020000	1792737420000	resolved	1792671720000
dc-t007	nanan.danzishi.qunhuicun.g02	road	1792451460000	1792710660000	resolved	1792619100000
dc-t005	nanan.nanping.zhengjie.g04	greening	1792489860000	1792749060000	in_progress	1792623900000
dc-t022	nanan.danzishi.qunhuicun.g02	garbage	1792567440000	1792653840000	resolved	1792670340000
dc-t008	nanan.danzishi.qunhuicun.g03	noise	1792493400000	1792579800000	dispatched	1792685400000
dc-t032	nanan.changshengqiao.tongjing.g02	street_light	1792632240000	1792805040000	dispatched	1792657620000
\.


--
-- Name: journal_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.journal_seq_seq', 229, true);


--
-- Name: _sqlx_migrations _sqlx_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public._sqlx_migrations
    ADD CONSTRAINT _sqlx_migrations_pkey PRIMARY KEY (version);


--
-- Name: alert_rules alert_rules_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.alert_rules
    ADD CONSTRAINT alert_rules_pkey PRIMARY KEY (id);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);


--
-- Name: journal journal_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.journal
    ADD CONSTRAINT journal_pkey PRIMARY KEY (seq);


--
-- Name: scopes scopes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scopes
    ADD CONSTRAINT scopes_pkey PRIMARY KEY (id);


--
-- Name: tickets tickets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (id);


--
-- Name: journal_ledger; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX journal_ledger ON public.journal USING btree (scope, seq) WHERE (kind = 'ledger'::text);


--
-- Name: journal_once; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX journal_once ON public.journal USING btree (kind, record_id) WHERE (kind <> 'event'::text);


--
-- Name: journal_read_back; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX journal_read_back ON public.journal USING btree (kind, seq) WHERE (kind = ANY (ARRAY['survey'::text, 'response'::text, 'ledger'::text]));


--
-- Name: tickets_reported; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_reported ON public.tickets USING btree (reported_at DESC, id);


--
-- PostgreSQL database dump complete
--


