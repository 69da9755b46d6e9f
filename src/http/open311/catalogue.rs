//! The GeoReport service list: one service per configured ticket category (the
//! keys of `settings.deadlines`), named in Chinese and English for the codes the
//! cockpit knows, and the few service attributes (only `dispute` has any).

use serde_json::{Map, Value, json};

use crate::config::Settings;

/// A service's attribute, as its GeoReport definition describes it.
pub struct Attribute {
    pub code: &'static str,
    pub datatype: Datatype,
    pub required: bool,
    pub description: &'static str,
    pub datatype_description: &'static str,
    /// `(key, name)` for list datatypes.
    pub values: &'static [(&'static str, &'static str)],
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    Number,
    SingleValueList,
}

impl Datatype {
    fn as_str(self) -> &'static str {
        match self {
            Datatype::Number => "number",
            Datatype::SingleValueList => "singlevaluelist",
        }
    }
}

/// What the cockpit knows about a category code.
struct Known {
    code: &'static str,
    name: &'static str,
    group: &'static str,
    summary: &'static str,
    keywords: &'static str,
    attributes: &'static [Attribute],
}

const FACILITIES: &str = "市政设施 Public facilities";
const SANITATION: &str = "环境卫生 Sanitation";
const ORDER: &str = "公共秩序 Public order";
const MEDIATION: &str = "矛盾调解 Mediation";
const OTHER: &str = "其他 Other";

const DISPUTE: &[Attribute] = &[
    Attribute {
        code: "parties",
        datatype: Datatype::Number,
        required: false,
        description: "涉及几户？ How many households are involved?",
        datatype_description: "a whole number from 1 to 1000",
        values: &[],
    },
    Attribute {
        code: "kind",
        datatype: Datatype::SingleValueList,
        required: false,
        description: "纠纷类型 Kind of dispute",
        datatype_description: "",
        values: &[
            ("neighbour", "邻里 Between neighbours"),
            ("property", "物业 With property management"),
            ("family", "家庭 Within a family"),
            ("other", "其他 Other"),
        ],
    },
];

const KNOWN: &[Known] = &[
    Known {
        code: "street_light",
        name: "路灯 Street light",
        group: FACILITIES,
        summary: "路灯不亮、闪烁或损坏 A street light is out, flickering or damaged",
        keywords: "路灯,street light,lamp",
        attributes: &[],
    },
    Known {
        code: "garbage",
        name: "垃圾 Garbage",
        group: SANITATION,
        summary: "垃圾未清运、乱堆乱放 Garbage not collected or dumped",
        keywords: "垃圾,garbage,rubbish,trash",
        attributes: &[],
    },
    Known {
        code: "parking",
        name: "停车 Parking",
        group: ORDER,
        summary: "乱停乱放、占用消防通道 Chaotic parking, blocked fire lanes",
        keywords: "停车,parking",
        attributes: &[],
    },
    Known {
        code: "noise",
        name: "噪音 Noise",
        group: ORDER,
        summary: "噪音扰民 Noise nuisance",
        keywords: "噪音,noise",
        attributes: &[],
    },
    Known {
        code: "dispute",
        name: "矛盾纠纷 Dispute",
        group: MEDIATION,
        summary: "邻里、物业、家庭矛盾纠纷 A dispute between neighbours, with property management or within a family",
        keywords: "纠纷,调解,dispute,mediation",
        attributes: DISPUTE,
    },
    Known {
        code: "water",
        name: "供水 Water supply",
        group: FACILITIES,
        summary: "停水、漏水、水质问题 Water outage, leak or quality",
        keywords: "供水,漏水,water,leak",
        attributes: &[],
    },
    Known {
        code: "road",
        name: "道路 Road",
        group: FACILITIES,
        summary: "路面破损、井盖缺失 Damaged road surface, missing manhole cover",
        keywords: "道路,井盖,road,pothole",
        attributes: &[],
    },
    Known {
        code: "greening",
        name: "绿化 Greening",
        group: SANITATION,
        summary: "绿化带、树木养护 Green belts and trees",
        keywords: "绿化,树木,greening,tree",
        attributes: &[],
    },
];

/// One GeoReport service: a configured ticket category.
pub struct Service {
    pub code: String,
    pub deadline_secs: i64,
    known: Option<&'static Known>,
}

/// Every configured category, by code.
pub fn all(settings: &Settings) -> Vec<Service> {
    let mut out: Vec<Service> = settings.deadlines.iter().map(|(code, secs)| service(code, *secs)).collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}

/// The service for `code`, if that category is configured.
pub fn find(settings: &Settings, code: &str) -> Option<Service> {
    settings.deadlines.get(code).map(|secs| service(code, *secs))
}

/// A readable name for any category code (tickets may carry codes sent through
/// the v1 API that are not configured services).
pub fn name_of(code: &str) -> String {
    match KNOWN.iter().find(|k| k.code == code) {
        Some(k) => k.name.to_owned(),
        None => code.replace(['_', '-'], " "),
    }
}

fn service(code: &str, deadline_secs: i64) -> Service {
    Service {
        code: code.to_owned(),
        deadline_secs,
        known: KNOWN.iter().find(|k| k.code == code),
    }
}

/// "48 小时 / 48 h", or minutes when the deadline is not whole hours.
pub fn span(secs: i64) -> String {
    if secs % 3600 == 0 {
        format!("{h} 小时 / {h} h", h = secs / 3600)
    } else {
        format!("{m} 分钟 / {m} min", m = secs / 60)
    }
}

impl Service {
    pub fn attributes(&self) -> &'static [Attribute] {
        self.known.map_or(&[], |k| k.attributes)
    }

    /// The entry in `services.json`.
    pub fn summary(&self) -> Value {
        let (name, group, summary, keywords) = match self.known {
            Some(k) => (k.name.to_owned(), k.group, k.summary, k.keywords),
            None => (name_of(&self.code), OTHER, "", ""),
        };
        let limit = format!("处置时限 {} (deadline)", span(self.deadline_secs));
        let description = if summary.is_empty() { limit } else { format!("{summary}. {limit}") };
        json!({
            "service_code": self.code,
            "service_name": name,
            "description": description,
            "metadata": !self.attributes().is_empty(),
            "type": "realtime",
            "keywords": keywords,
            "group": group,
        })
    }

    /// The body of `services/{code}.json`.
    pub fn definition(&self) -> Value {
        let attributes: Vec<Value> = self
            .attributes()
            .iter()
            .enumerate()
            .map(|(i, a)| {
                json!({
                    "variable": true,
                    "code": a.code,
                    "datatype": a.datatype.as_str(),
                    "required": a.required,
                    "datatype_description": if a.datatype_description.is_empty() { Value::Null } else { a.datatype_description.into() },
                    "order": i + 1,
                    "description": a.description,
                    "values": a.values.iter().map(|(key, name)| json!({"key": key, "name": name})).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({ "service_code": self.code, "attributes": attributes })
    }

    /// Checks the `attribute[code]` values of a request against the definition:
    /// unknown codes, bad values and missing required ones are refused.
    pub fn check(&self, given: &[(String, String)]) -> Result<Map<String, Value>, String> {
        let mut out = Map::new();
        for (code, value) in given {
            let Some(a) = self.attributes().iter().find(|a| a.code == code) else {
                return Err(format!("attribute[{code}] is not an attribute of service {}", self.code));
            };
            if out.contains_key(a.code) {
                return Err(format!("attribute[{code}] takes one value"));
            }
            let v = match a.datatype {
                Datatype::Number => match value.trim().parse::<u32>() {
                    Ok(n) if (1..=1000).contains(&n) => Value::from(n),
                    _ => return Err(format!("attribute[{code}] must be {}, got {value:?}", a.datatype_description)),
                },
                Datatype::SingleValueList => match a.values.iter().find(|(key, _)| key == value) {
                    Some((key, _)) => Value::from(*key),
                    None => {
                        let keys: Vec<&str> = a.values.iter().map(|(k, _)| *k).collect();
                        return Err(format!("attribute[{code}] must be one of {}, got {value:?}", keys.join(", ")));
                    }
                },
            };
            out.insert(a.code.to_owned(), v);
        }
        if let Some(missing) = self.attributes().iter().find(|a| a.required && !out.contains_key(a.code)) {
            return Err(format!("attribute[{}] is required for service {}", missing.code, self.code));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_category_is_a_named_service() {
        let s = Settings::default();
        let all = all(&s);
        assert_eq!(all.len(), s.deadlines.len());
        for svc in &all {
            assert!(KNOWN.iter().any(|k| k.code == svc.code), "{} has no name", svc.code);
        }
        let codes: Vec<&str> = all.iter().map(|s| s.code.as_str()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn only_disputes_carry_metadata() {
        let s = Settings::default();
        for svc in all(&s) {
            assert_eq!(svc.summary()["metadata"], svc.code == "dispute", "{}", svc.code);
        }
        let d = find(&s, "dispute").unwrap();
        assert_eq!(d.definition()["attributes"][1]["values"][0]["key"], "neighbour");
    }

    #[test]
    fn attribute_values_are_checked() {
        let d = find(&Settings::default(), "dispute").unwrap();
        let ok = d
            .check(&[("parties".into(), "3".into()), ("kind".into(), "family".into())])
            .unwrap();
        assert_eq!(ok["parties"], 3);
        assert!(d.check(&[("parties".into(), "many".into())]).unwrap_err().contains("parties"));
        assert!(d.check(&[("kind".into(), "war".into())]).unwrap_err().contains("neighbour"));
        assert!(
            d.check(&[("colour".into(), "red".into())])
                .unwrap_err()
                .contains("not an attribute")
        );
        let light = find(&Settings::default(), "street_light").unwrap();
        assert!(light.check(&[("parties".into(), "1".into())]).is_err());
    }

    #[test]
    fn unknown_codes_get_a_readable_name() {
        assert_eq!(name_of("stray_dogs"), "stray dogs");
        assert_eq!(span(172_800), "48 小时 / 48 h");
        assert_eq!(span(90), "1 分钟 / 1 min");
    }
}
