//! The Reusable object: a reference to a component.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Components, FailureAction, Parameter, SuccessAction};

/// A reference to a parameter or action defined in the document's components.
///
/// See <https://spec.openapis.org/arazzo/v1.0.1#reusable-object>.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reusable {
    /// `$components.parameters.<key>`, `$components.successActions.<key>` or
    /// `$components.failureActions.<key>`.
    pub reference: String,
    /// Overrides the referenced parameter's `value` (parameters only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Other fields, which the spec says MUST be ignored; kept so validation can warn.
    #[serde(flatten, skip_serializing)]
    pub ignored: IndexMap<String, Value>,
}

/// An object given inline, or a [`Reusable`] reference to one in the components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OrReusable<T> {
    /// A reference to a component (any object with a `reference` field).
    Reusable(Reusable),
    /// The object itself.
    Object(T),
}

/// A kind of object that can be kept in the components and referenced.
pub trait Component: Clone {
    /// The components section holding this kind: `parameters`, `successActions` or
    /// `failureActions`.
    const SECTION: &'static str;

    /// Looks up `key` in the components.
    fn lookup<'a>(components: &'a Components, key: &str) -> Option<&'a Self>;

    /// Applies a reference's `value` override (only parameters have one).
    fn with_value(self, _value: Option<&Value>) -> Self {
        self
    }
}

impl Component for Parameter {
    const SECTION: &'static str = "parameters";
    fn lookup<'a>(components: &'a Components, key: &str) -> Option<&'a Self> {
        components.parameters.get(key)
    }
    fn with_value(mut self, value: Option<&Value>) -> Self {
        if let Some(value) = value {
            self.value = value.clone();
        }
        self
    }
}

impl Component for SuccessAction {
    const SECTION: &'static str = "successActions";
    fn lookup<'a>(components: &'a Components, key: &str) -> Option<&'a Self> {
        components.success_actions.get(key)
    }
}

impl Component for FailureAction {
    const SECTION: &'static str = "failureActions";
    fn lookup<'a>(components: &'a Components, key: &str) -> Option<&'a Self> {
        components.failure_actions.get(key)
    }
}

impl Reusable {
    /// The component key this reference names in `section`, if it has the
    /// `$components.<section>.<key>` form.
    pub fn key_in(&self, section: &str) -> Option<&str> {
        self.reference
            .strip_prefix("$components.")?
            .strip_prefix(section)?
            .strip_prefix('.')
            .filter(|key| !key.is_empty())
    }
}

impl<T: Component> OrReusable<T> {
    /// The object, with a reference looked up in `components` (and its `value` override
    /// applied); `None` when the reference does not resolve.
    pub fn resolve(&self, components: Option<&Components>) -> Option<T> {
        match self {
            OrReusable::Object(object) => Some(object.clone()),
            OrReusable::Reusable(reusable) => {
                let key = reusable.key_in(T::SECTION)?;
                let found = T::lookup(components?, key)?;
                Some(found.clone().with_value(reusable.value.as_ref()))
            }
        }
    }
}
