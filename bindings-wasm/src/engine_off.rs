//! The `Engine` class of a build without the cargo feature `engine` (the size-budgeted `web`
//! build): the same JS shape, but `Engine.inMemory` throws `UNSUPPORTED`
//! (`meta.feature = "engine"`), so a page that reaches for the engine in the wrong build gets
//! a `KassaError` saying so instead of `undefined is not a function`. Load the full build
//! (`web-full`) for the engine (docs/wasm.md, "Builds").

use crate::errors::error_object;
use kassa::KassaError;
use wasm_bindgen::prelude::*;

fn engine_off() -> KassaError {
    KassaError::unsupported("the engine", "engine")
}

/// The Kassa engine; not in this build (every constructor throws `UNSUPPORTED`).
#[wasm_bindgen]
pub struct Engine {
    _private: (),
}

#[wasm_bindgen]
impl Engine {
    /// Throws a `KassaError` `UNSUPPORTED` (`meta.feature = "engine"`): this build has no
    /// engine; the `web-full` build has.
    #[wasm_bindgen(js_name = inMemory)]
    pub fn in_memory(
        #[wasm_bindgen(unchecked_param_type = "InMemorySetup | undefined")] _setup: JsValue,
    ) -> Result<Engine, JsValue> {
        Err(error_object(&engine_off()))
    }

    /// Never reached (no `Engine` can be made in this build); rejects with `UNSUPPORTED`.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn call(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EngineOperationName")] _operation: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] _request: JsValue,
    ) -> js_sys::Promise {
        js_sys::Promise::reject(&error_object(&engine_off()))
    }

    /// Every engine operation name of the full build (none runs in this one).
    #[wasm_bindgen(unchecked_return_type = "EngineOperationName[]")]
    pub fn operations() -> Vec<String> {
        crate::owned_names(kassa::host::engine::OPERATIONS)
    }

    /// The engine operations this build runs: none.
    #[wasm_bindgen(js_name = availableOperations, unchecked_return_type = "EngineOperationName[]")]
    pub fn available_operations() -> Vec<String> {
        Vec::new()
    }
}
