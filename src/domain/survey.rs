//! Resident surveys (问卷): a survey's questions, a resident's response, and how
//! a response is checked against its survey. Responses are records like any
//! other: idempotent by id, durable before they count. Free-text answers are
//! kept in the record store and never reach an aggregate or a screen.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::field::{FieldError, Fields, SKEW_MS, type_name};
use super::scope::Scope;

/// The built-in "was it fixed?" survey asked after a ticket is resolved.
pub const SATISFACTION: &str = "satisfaction";
/// Its question whose `no` reopens the ticket.
pub const FIXED: &str = "fixed";

const MAX_QUESTIONS: usize = 50;
const MAX_OPTIONS: usize = 20;
const MAX_TEXT: usize = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One of `options`.
    Single,
    /// Any non-empty subset of `options`.
    Multiple,
    /// A whole number from 1 to 5.
    Rating,
    /// Free text: stored, counted, never shown on a screen.
    Text,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// A survey defined for a scope: residents anywhere under it may answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Survey {
    pub id: String,
    #[schemars(with = "String")]
    pub scope: Scope,
    pub title: String,
    pub questions: Vec<Question>,
}

/// One answer as sent; its meaning comes from the question it answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Number(i64),
    Text(String),
    Many(Vec<String>),
}

/// A resident's answers to one survey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub id: String,
    pub survey_id: String,
    /// Where the resident lives; a satisfaction response takes its ticket's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<String>,
    pub at: i64,
    pub answers: BTreeMap<String, Answer>,
    /// The scope the sender's API key may write under, checked against a
    /// satisfaction response's ticket when it is decided. Set at the edge; never stored.
    #[serde(skip)]
    pub within: Option<Scope>,
}

/// What one answer adds to its survey's tallies: a counter field, by how much.
pub type Tally = (String, i64);

impl Survey {
    /// The built-in satisfaction survey (valid everywhere).
    pub fn satisfaction(root: Scope) -> Survey {
        let q = |id: &str, kind, title: &str, options: &[&str]| Question {
            id: id.into(),
            kind,
            title: title.into(),
            options: options.iter().map(|o| (*o).into()).collect(),
        };
        Survey {
            id: SATISFACTION.into(),
            scope: root,
            title: "问题解决了吗？ Was it fixed?".into(),
            questions: vec![
                q(FIXED, QuestionKind::Single, "问题解决了吗？ Was it fixed?", &["yes", "no"]),
                q("rating", QuestionKind::Rating, "满意度 Satisfaction (1-5)", &[]),
                q("comment", QuestionKind::Text, "意见 Comment", &[]),
            ],
        }
    }

    pub fn parse(value: &Value) -> Result<Survey, FieldError> {
        let f = Fields::of(value)?;
        let id = f.id("id")?;
        if id == SATISFACTION {
            return Err(FieldError::new("id", "\"satisfaction\" is the built-in survey; choose another id"));
        }
        let survey = Survey {
            id,
            scope: f.scope()?,
            title: f.text("title", 200)?,
            questions: questions(f.get("questions"))?,
        };
        Ok(survey)
    }

    /// Checks a response's answers and returns what each adds to the tallies.
    pub fn tally(&self, answers: &BTreeMap<String, Answer>) -> Result<Vec<Tally>, FieldError> {
        let mut out = Vec::new();
        for (qid, answer) in answers {
            let Some(q) = self.questions.iter().find(|q| &q.id == qid) else {
                let known: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
                let reason = format!(
                    "survey {:?} has no question {qid:?}; its questions are {}",
                    self.id,
                    known.join(", ")
                );
                return Err(FieldError::new("answers", reason));
            };
            out.extend(q.tally(answer)?);
        }
        Ok(out)
    }
}

impl Question {
    fn tally(&self, answer: &Answer) -> Result<Vec<Tally>, FieldError> {
        let bad = |why: String| FieldError::new("answers", format!("question {:?}: {why}", self.id));
        let option = |o: &String| {
            if self.options.contains(o) {
                Ok((format!("{}={o}", self.id), 1))
            } else {
                Err(bad(format!("{o:?} is not one of {}", self.options.join(", "))))
            }
        };
        match (self.kind, answer) {
            (QuestionKind::Single, Answer::Text(o)) => Ok(vec![option(o)?]),
            (QuestionKind::Multiple, Answer::Many(os)) if !os.is_empty() => {
                let mut seen = os.clone();
                seen.sort_unstable();
                seen.dedup();
                if seen.len() != os.len() {
                    return Err(bad("names an option twice".into()));
                }
                os.iter().map(option).collect()
            }
            (QuestionKind::Rating, Answer::Number(n)) if (1..=5).contains(n) => {
                Ok(vec![(format!("{}={n}", self.id), 1), (format!("{}:sum", self.id), *n)])
            }
            (QuestionKind::Text, Answer::Text(t)) if t.chars().count() <= MAX_TEXT => Ok(vec![(format!("{}:text", self.id), 1)]),
            (kind, _) => Err(bad(format!("expects {}", expects(kind)))),
        }
    }
}

fn expects(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Single => "one option, as a string",
        QuestionKind::Multiple => "a non-empty array of options",
        QuestionKind::Rating => "a whole number from 1 to 5",
        QuestionKind::Text => "a string of at most 2000 characters",
    }
}

fn questions(v: Option<&Value>) -> Result<Vec<Question>, FieldError> {
    let bad = |why: String| FieldError::new("questions", why);
    let Some(Value::Array(items)) = v else {
        return Err(bad("is required: an array of 1 to 50 questions".into()));
    };
    if items.is_empty() || items.len() > MAX_QUESTIONS {
        return Err(bad(format!("must hold 1 to {MAX_QUESTIONS} questions, got {}", items.len())));
    }
    let mut out: Vec<Question> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let q = question(item).map_err(|e| bad(format!("question {i}: {} {}", e.field, e.reason)))?;
        if out.iter().any(|o| o.id == q.id) {
            return Err(bad(format!("question {i}: id {:?} is used twice", q.id)));
        }
        out.push(q);
    }
    Ok(out)
}

fn question(v: &Value) -> Result<Question, FieldError> {
    let f = Fields::of(v)?;
    let kind = match f.text("kind", 16)?.as_str() {
        "single" => QuestionKind::Single,
        "multiple" => QuestionKind::Multiple,
        "rating" => QuestionKind::Rating,
        "text" => QuestionKind::Text,
        other => {
            return Err(FieldError::new(
                "kind",
                format!("{other:?} is not one of single, multiple, rating, text"),
            ));
        }
    };
    let options = match f.get("options") {
        None => Vec::new(),
        Some(Value::Array(os)) => os
            .iter()
            .map(|o| match o {
                Value::String(s) if is_code(s) => Ok(s.clone()),
                _ => Err(FieldError::new("options", format!("{o} is not 1-64 characters of [a-z0-9_-]"))),
            })
            .collect::<Result<_, _>>()?,
        Some(o) => return Err(FieldError::new("options", format!("must be an array, got {}", type_name(o)))),
    };
    let choice = matches!(kind, QuestionKind::Single | QuestionKind::Multiple);
    if choice && !(2..=MAX_OPTIONS).contains(&options.len()) {
        return Err(FieldError::new("options", format!("a choice needs 2 to {MAX_OPTIONS} options")));
    }
    if !choice && !options.is_empty() {
        return Err(FieldError::new("options", "only single and multiple choice questions have options"));
    }
    Ok(Question {
        id: f.code("id")?,
        kind,
        title: f.text("title", 200)?,
        options,
    })
}

fn is_code(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl Response {
    /// Parses a response sent to `survey_id` (from the URL, or the body's `survey_id`).
    pub fn parse(value: &Value, survey_id: Option<&str>, now_ms: i64) -> Result<Response, FieldError> {
        let f = Fields::of(value)?;
        let survey_id = match (survey_id, f.opt_text("survey_id", 128)?) {
            (Some(p), Some(b)) if p != b => {
                return Err(FieldError::new(
                    "survey_id",
                    format!("{b:?} differs from the survey in the URL {p:?}"),
                ));
            }
            (Some(p), _) => p.to_owned(),
            (None, _) => f.id("survey_id")?,
        };
        let ticket_id = match f.get("ticket_id") {
            Some(_) => Some(f.id("ticket_id")?),
            None => None,
        };
        if survey_id == SATISFACTION && f.get("answers").and_then(|a| a.get(FIXED)).is_none() {
            return Err(FieldError::new("answers", "a satisfaction response answers \"fixed\" (yes or no)"));
        }
        let scope = match (survey_id == SATISFACTION, f.get("scope")) {
            (true, _) if ticket_id.is_none() => return Err(FieldError::new("ticket_id", "a satisfaction response names its ticket")),
            (true, Some(_)) => {
                return Err(FieldError::new(
                    "scope",
                    "a satisfaction response takes its ticket's scope; leave it out",
                ));
            }
            (true, None) => None,
            (false, _) => Some(f.scope()?),
        };
        let answers = match f.get("answers") {
            Some(Value::Object(m)) if !m.is_empty() && m.len() <= MAX_QUESTIONS => m
                .iter()
                .map(|(k, v)| Ok((k.clone(), answer(k, v)?)))
                .collect::<Result<_, FieldError>>()?,
            Some(v) if v.is_object() => return Err(FieldError::new("answers", "must answer 1 to 50 questions")),
            Some(v) => return Err(FieldError::new("answers", format!("must be an object, got {}", type_name(v)))),
            None => return Err(FieldError::new("answers", "is required")),
        };
        Ok(Response {
            id: f.id("id")?,
            survey_id,
            scope,
            ticket_id,
            at: f.time("at", now_ms + SKEW_MS)?,
            answers,
            within: None,
        })
    }

    /// The same response, whoever sent it (the sender's key scope is not part of it).
    pub fn same_as(&self, other: &Response) -> bool {
        (&self.id, &self.survey_id, &self.scope, &self.ticket_id, self.at, &self.answers)
            == (
                &other.id,
                &other.survey_id,
                &other.scope,
                &other.ticket_id,
                other.at,
                &other.answers,
            )
    }

    /// Whether this is a satisfaction response saying the problem is not fixed.
    pub fn unfixed(&self) -> bool {
        self.survey_id == SATISFACTION && self.answers.get(FIXED) == Some(&Answer::Text("no".into()))
    }

    pub fn fixed(&self) -> bool {
        self.survey_id == SATISFACTION && self.answers.get(FIXED) == Some(&Answer::Text("yes".into()))
    }
}

fn answer(qid: &str, v: &Value) -> Result<Answer, FieldError> {
    let bad = || {
        FieldError::new(
            "answers",
            format!("question {qid:?}: must be a string, a whole number or an array of strings"),
        )
    };
    match v {
        Value::String(s) if s.chars().count() <= MAX_TEXT => Ok(Answer::Text(s.clone())),
        Value::String(_) => Err(FieldError::new(
            "answers",
            format!("question {qid:?}: is longer than {MAX_TEXT} characters"),
        )),
        Value::Number(n) => n.as_i64().map(Answer::Number).ok_or_else(bad),
        Value::Array(items) if items.len() <= MAX_OPTIONS => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<Result<_, _>>()
            .map(Answer::Many),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn survey() -> Survey {
        Survey::parse(&json!({
            "id": "theme-2024", "scope": "nanan.changshengqiao.tongjing", "title": "社区主题",
            "questions": [
                {"id": "theme", "kind": "single", "title": "主题", "options": ["health", "culture"]},
                {"id": "wants", "kind": "multiple", "title": "需求", "options": ["lecture", "dance", "legal"]},
                {"id": "score", "kind": "rating", "title": "评分"},
                {"id": "say", "kind": "text", "title": "意见"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn answers_tally_by_question_and_option() {
        let r = Response::parse(
            &json!({"id": "r1", "scope": "nanan.changshengqiao.tongjing.g01", "at": "2024-11-20T10:00:00+08:00",
                    "answers": {"theme": "health", "wants": ["lecture", "legal"], "score": 4, "say": "多办讲座"}}),
            Some("theme-2024"),
            1_732_780_800_000,
        )
        .unwrap();
        let mut t = survey().tally(&r.answers).unwrap();
        t.sort();
        assert_eq!(
            t,
            vec![
                ("say:text".into(), 1),
                ("score:sum".into(), 4),
                ("score=4".into(), 1),
                ("theme=health".into(), 1),
                ("wants=lecture".into(), 1),
                ("wants=legal".into(), 1),
            ]
        );
    }

    #[test]
    fn a_wrong_answer_names_its_question() {
        let mut answers = BTreeMap::new();
        answers.insert("score".to_string(), Answer::Number(9));
        let e = survey().tally(&answers).unwrap_err();
        assert_eq!(e.field, "answers");
        assert!(e.reason.contains("\"score\"") && e.reason.contains("1 to 5"), "{}", e.reason);
        answers.clear();
        answers.insert("nope".to_string(), Answer::Number(1));
        assert!(survey().tally(&answers).unwrap_err().reason.contains("no question \"nope\""));
    }

    #[test]
    fn bad_definitions_are_refused_with_the_reason() {
        let e = Survey::parse(&json!({"id": "s", "scope": "nanan", "title": "t",
            "questions": [{"id": "q", "kind": "single", "title": "x", "options": ["only"]}]}))
        .unwrap_err();
        assert_eq!(e.field, "questions");
        assert!(e.reason.contains("2 to 20 options"), "{}", e.reason);
        let e = Survey::parse(&json!({"id": "satisfaction", "scope": "nanan", "title": "t", "questions": []})).unwrap_err();
        assert_eq!(e.field, "id");
    }

    #[test]
    fn satisfaction_needs_a_ticket_and_no_scope() {
        let now = 1_732_780_800_000;
        let e = Response::parse(
            &json!({"id": "r", "at": "2024-11-20T10:00:00Z", "answers": {"fixed": "no"}}),
            Some(SATISFACTION),
            now,
        )
        .unwrap_err();
        assert_eq!(e.field, "ticket_id");
        let r = Response::parse(
            &json!({"id": "r", "ticket_id": "k1", "at": "2024-11-20T10:00:00Z", "answers": {"fixed": "no"}}),
            Some(SATISFACTION),
            now,
        )
        .unwrap();
        assert!(r.unfixed() && !r.fixed());
        assert!(Survey::satisfaction(Scope::parse("nanan").unwrap()).tally(&r.answers).is_ok());
    }
}
