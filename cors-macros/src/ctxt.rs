//! The one error context of an expansion (as serde_derive's `Ctxt`): every error is collected
//! with its span, so that all of them are reported at once, and the context is checked exactly
//! once, at the end. Forgetting to check it is a bug in this crate, caught when it is dropped.

use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

pub(crate) struct Ctxt {
    /// `None` once checked.
    errors: Option<Vec<syn::Error>>,
    /// Errors are being muted: they are about a shared policy's definition, which reports them
    /// where it is written. How many there were is still counted.
    muted: Option<usize>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Self {
            errors: Some(Vec::new()),
            muted: None,
        }
    }

    fn push(&mut self, error: syn::Error) {
        if let Some(count) = &mut self.muted {
            *count += 1;
            return;
        }
        if let Some(errors) = &mut self.errors {
            errors.push(error);
        }
    }

    pub(crate) fn error(&mut self, error: syn::Error) {
        self.push(error);
    }

    pub(crate) fn error_at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    pub(crate) fn error_spanned_by(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Runs `step` with errors muted; returns its value and whether it found any.
    pub(crate) fn muted<T>(&mut self, step: impl FnOnce(&mut Self) -> T) -> (T, bool) {
        let outer = self.muted.replace(0);
        let value = step(self);
        let found = self.muted.take().unwrap_or(0) > 0;
        self.muted = outer;
        (value, found)
    }

    /// Whether any error has been collected so far.
    pub(crate) fn has_errors(&self) -> bool {
        self.errors
            .as_ref()
            .is_some_and(|errors| !errors.is_empty())
    }

    /// The collected errors combined into one, or `Ok` when there were none. Consumes the
    /// context: it is checked once.
    pub(crate) fn check(mut self) -> Result<(), syn::Error> {
        let mut errors = self.errors.take().unwrap_or_default().into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        assert!(
            self.errors.is_none() || std::thread::panicking(),
            "cors-macros: an error context was dropped without being checked"
        );
    }
}
