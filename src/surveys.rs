//! The read side of resident surveys: which surveys reach a scope, and each
//! one's live tallies there turned into a report (counts per option, rating
//! spread, responses per day, response rate against the scope's households).
//! Free text is counted here, never quoted: reading it is `responses`' job.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::aggregates::{AggregateStore, Bucket};
use crate::domain::decide::Change;
use crate::domain::record::Kind;
use crate::domain::scope::Scope;
use crate::domain::survey::{QuestionKind, SATISFACTION, Survey};
use crate::error::ApiError;
use crate::records::{EntryQuery, RecordStore};
use crate::registry::Registry;

/// At most this many survey definitions are considered per tree.
const MAX_SURVEYS: i64 = 1000;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SurveyReport {
    pub id: String,
    pub title: String,
    /// Where the survey was defined (residents anywhere under it may answer).
    #[schemars(with = "String")]
    pub defined_for: Scope,
    /// Responses from this scope and everything under it.
    pub responses: i64,
    /// Households that could answer: those of this scope, or of the survey's own
    /// scope when it lies under this one (registered, or the sum of its children's).
    pub households: Option<i64>,
    /// `responses / households`; null when households are unknown.
    pub response_rate: Option<f64>,
    /// Responses per local day, oldest first.
    pub per_day: BTreeMap<String, i64>,
    pub questions: Vec<QuestionReport>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct QuestionReport {
    pub id: String,
    pub kind: QuestionKind,
    pub title: String,
    /// Answers to this question (a multiple choice answer counts once).
    pub answered: i64,
    /// Picks per option (choices) or per score 1..5 (ratings); empty for text.
    pub counts: BTreeMap<String, i64>,
    /// Mean score (ratings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
}

/// Every survey that reaches `scope` (defined there or above) or that was
/// defined under it, the built-in satisfaction survey first.
pub async fn reaching(records: &dyn RecordStore, scope: &Scope) -> Result<Vec<Survey>, ApiError> {
    let root = scope
        .lineage()
        .into_iter()
        .find(|s| s.depth() == 1)
        .unwrap_or_else(|| scope.clone());
    let q = EntryQuery {
        kind: Kind::Survey,
        scope: root.clone(),
        subtree: true,
        after: 0,
        limit: MAX_SURVEYS,
    };
    let entries = records.entries(&q).await.map_err(|e| ApiError::RecordsDown(e.to_string()))?;
    let mut out = vec![Survey::satisfaction(root)];
    out.extend(entries.into_iter().filter_map(|e| match e.change {
        Change::Survey { survey } if scope.is_within(&survey.scope) || survey.scope.is_within(scope) => Some(survey),
        _ => None,
    }));
    Ok(out)
}

/// The reports of `surveys` under `scope`, read in one round trip.
pub async fn reports(
    aggregates: &dyn AggregateStore,
    registry: &Registry,
    scope: &Scope,
    surveys: &[Survey],
) -> Result<Vec<SurveyReport>, ApiError> {
    let buckets: Vec<Bucket> = surveys.iter().map(|s| Bucket::Survey(scope.clone(), s.id.clone())).collect();
    let hashes = aggregates.hashes(&buckets).await.map_err(ApiError::AggregatesDown)?;
    Ok(surveys
        .iter()
        .zip(&hashes)
        .map(|(s, h)| {
            // Only residents under the survey's own scope can answer: rate them against it
            // when it is the smaller of the two.
            let base = if s.scope.is_within(scope) { &s.scope } else { scope };
            report(s, h, registry.households(base))
        })
        .collect())
}

/// One survey's report from its tallies hash.
pub fn report(survey: &Survey, tallies: &HashMap<String, i64>, households: Option<i64>) -> SurveyReport {
    let get = |k: &str| tallies.get(k).copied().unwrap_or(0);
    let responses = get("n");
    let per_day = tallies
        .iter()
        .filter_map(|(k, n)| k.strip_prefix("d:").map(|d| (d.to_owned(), *n)))
        .collect();
    let questions = survey
        .questions
        .iter()
        .map(|q| {
            let keys: Vec<String> = match q.kind {
                QuestionKind::Rating => (1..=5).map(|n| n.to_string()).collect(),
                _ => q.options.clone(),
            };
            let counts: BTreeMap<String, i64> = keys.iter().map(|o| (o.clone(), get(&format!("{}={o}", q.id)))).collect();
            let picked: i64 = counts.values().sum();
            let (answered, mean) = match q.kind {
                QuestionKind::Text => (get(&format!("{}:text", q.id)), None),
                QuestionKind::Rating => (picked, (picked > 0).then(|| get(&format!("{}:sum", q.id)) as f64 / picked as f64)),
                QuestionKind::Single => (picked, None),
                // Each answer picks at least one option; the responses that
                // answered are not stored apart, so report the picks.
                QuestionKind::Multiple => (picked, None),
            };
            QuestionReport {
                id: q.id.clone(),
                kind: q.kind,
                title: q.title.clone(),
                answered,
                counts: if q.kind == QuestionKind::Text { BTreeMap::new() } else { counts },
                mean,
            }
        })
        .collect();
    SurveyReport {
        id: survey.id.clone(),
        title: survey.title.clone(),
        defined_for: survey.scope.clone(),
        responses,
        households,
        response_rate: households
            .filter(|h| *h > 0 && survey.id != SATISFACTION)
            .map(|h| responses as f64 / h as f64),
        per_day,
        questions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::survey::Question;

    #[test]
    fn a_report_reads_tallies_and_rates_against_households() {
        let survey = Survey {
            id: "s".into(),
            scope: Scope::parse("d").unwrap(),
            title: "t".into(),
            questions: vec![
                Question {
                    id: "q".into(),
                    kind: QuestionKind::Single,
                    title: "q".into(),
                    options: vec!["a".into(), "b".into()],
                },
                Question {
                    id: "r".into(),
                    kind: QuestionKind::Rating,
                    title: "r".into(),
                    options: vec![],
                },
            ],
        };
        let tallies: HashMap<String, i64> = [("n", 4), ("d:2024-11-20", 4), ("q=a", 3), ("q=b", 1), ("r=5", 2), ("r:sum", 10)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let r = report(&survey, &tallies, Some(200));
        assert_eq!(r.responses, 4);
        assert_eq!(r.response_rate, Some(0.02));
        assert_eq!(r.questions[0].counts["a"], 3);
        assert_eq!(r.questions[1].mean, Some(5.0));
        assert_eq!(r.per_day["2024-11-20"], 4);
    }
}
