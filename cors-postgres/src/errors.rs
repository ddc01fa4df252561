//! An error as one line with its causes: tokio-postgres says the detail — `Connection refused
//! (os error 111)`, the server's own message — in its error's sources, which `Display` leaves
//! out.

/// `error` and each of its sources, joined by `: `, each said once (a source whose words the
/// line already ends with adds nothing).
pub(crate) fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        let said = error.to_string();
        if !said.is_empty() && !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = error.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|layer| layer as _)
        }
    }

    #[test]
    fn every_cause_is_said_once() {
        let error = Layer(
            "error connecting to server",
            Some(Box::new(Layer(
                "Connection refused (os error 111)",
                Some(Box::new(Layer("Connection refused (os error 111)", None))),
            ))),
        );
        assert_eq!(
            with_causes(&error),
            "error connecting to server: Connection refused (os error 111)"
        );
        assert_eq!(with_causes(&Layer("alone", None)), "alone");
    }
}
