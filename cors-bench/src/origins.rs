// Shared by build.rs (which writes the generated policies) and the library (which builds the
// same lists for actix-cors and picks the requesting origin).

/// The `index`-th origin of the large generated policies.
#[must_use]
pub fn many_origin(index: usize) -> String {
    format!("https://o{index}.example.net")
}
