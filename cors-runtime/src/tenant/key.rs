//! How the generated code names a route's provider: by type, through a bound that makes a type
//! that is not one a compile error at its path.

use std::any::TypeId;

use super::TenantOrigins;

/// Which provider a route names: its type, found registered by its id.
#[derive(Clone, Copy, Debug)]
pub struct ProviderKey {
    pub(crate) id: TypeId,
    pub(crate) name: &'static str,
}

/// The key of `P`: the generated code names a provider through this function, whose bound makes
/// a type that is not one a compile error at its path.
#[must_use]
pub fn provider<P: TenantOrigins>() -> ProviderKey {
    ProviderKey {
        id: TypeId::of::<P>(),
        name: std::any::type_name::<P>(),
    }
}
