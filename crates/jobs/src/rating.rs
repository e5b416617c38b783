//! Ratings: once per job, by its customer, after completion, each axis 1–5.

use kernel::FieldError;

use crate::error::JobError;
use crate::job::Job;
use crate::status::{JobStatus, Party};

/// One to five stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stars(u8);

impl Stars {
    /// Refuses anything outside 1–5; `field` names it in the error.
    pub fn parse(field: &str, value: i64) -> Result<Self, FieldError> {
        u8::try_from(value)
            .ok()
            .filter(|v| (1..=5).contains(v))
            .map(Self)
            .ok_or_else(|| FieldError::new(field, "must be a whole number from 1 to 5"))
    }

    /// The number of stars.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// A rating as the customer sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingInput {
    pub rating: i64,
    pub punctuality_rating: i64,
    pub response_time: i64,
    /// Free text.
    pub feedback: Option<String>,
}

/// A valid rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub rating: Stars,
    pub punctuality: Stars,
    pub response_time: Stars,
    /// Free text, trimmed, at most 2000 characters.
    pub feedback: Option<String>,
}

impl Rating {
    /// What rating a job records in its history: `rated` by the customer,
    /// with the overall stars.
    pub fn event(&self) -> crate::job::JobEvent {
        crate::job::JobEvent {
            kind: crate::status::EventKind::Rated,
            actor: Party::Customer,
            data: serde_json::json!({ "rating": self.rating.get() }),
        }
    }

    /// Checks the axes and the feedback, reporting every bad field.
    pub fn parse(input: RatingInput) -> Result<Self, JobError> {
        let rating = Stars::parse("rating", input.rating);
        let punctuality = Stars::parse("punctuality_rating", input.punctuality_rating);
        let response_time = Stars::parse("response_time", input.response_time);
        let feedback = kernel::text::optional_bounded("feedback", input.feedback.as_deref(), 2000);
        match (rating, punctuality, response_time, feedback) {
            (Ok(rating), Ok(punctuality), Ok(response_time), Ok(feedback)) => Ok(Self {
                rating,
                punctuality,
                response_time,
                feedback,
            }),
            (a, b, c, d) => Err(JobError::Validation(
                [a.err(), b.err(), c.err(), d.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }

    /// Whether `actor` may rate `job` now: its customer, once, after completion.
    pub fn allowed(job: &Job, actor: Party, already_rated: bool) -> Result<(), JobError> {
        if actor != Party::Customer {
            return Err(JobError::Forbidden("only the job's customer may rate it"));
        }
        if !matches!(job.status, JobStatus::Completed | JobStatus::Paid) {
            return Err(JobError::InvalidTransition {
                action: "rate",
                status: job.status.as_str(),
            });
        }
        if already_rated {
            return Err(JobError::Conflict("this job is already rated"));
        }
        Ok(())
    }
}
