//! The engine (carts, checkout on the sandbox gateway, orders, identity) over in-memory ports,
//! as a JS class whose `call` answers a `Promise`.
//!
//! On wasm32 the core's ports are `?Send` async traits, so the engine's futures can await JS
//! promises; the in-memory ports complete at once. [`Engine::call`] converts the request
//! synchronously (the JS object is read at call time), then runs the flow inside a promise
//! (`wasm-bindgen-futures`). The host is shared through an `Rc`, so a pending promise keeps it
//! alive even if the JS object is freed.

use crate::convert::{from_js, text_to_js};
use crate::errors::error_object;
use kassa::host::EngineHost;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The Kassa engine over the embedded in-memory ports (stores, sandbox gateway, manual clock,
/// sequential ids, collecting outbox).
#[wasm_bindgen]
pub struct Engine {
    host: Rc<EngineHost>,
}

#[wasm_bindgen]
impl Engine {
    /// An engine over in-memory ports from one setup object (every field optional: the sample
    /// catalog, no rules, clock at 2026-01-01T00:00:00Z, no stock, no identity flows).
    ///
    /// Throws a `KassaError` (`VALIDATION_ERROR` naming the bad field of the setup;
    /// `UNSUPPORTED` without `catalog` in a build without the sample catalog, `web-full`).
    #[wasm_bindgen(js_name = inMemory)]
    pub fn in_memory(
        #[wasm_bindgen(unchecked_param_type = "InMemorySetup | undefined")] setup: JsValue,
    ) -> Result<Engine, JsValue> {
        let setup = if setup.is_undefined() || setup.is_null() {
            "{}".to_owned()
        } else {
            from_js(&setup).map_err(|e| error_object(&e))?
        };
        let host = kassa::host::from_str(&setup)
            .and_then(EngineHost::from_setup)
            .map_err(|e| error_object(&e))?;
        Ok(Engine {
            host: Rc::new(host),
        })
    }

    /// Runs one engine operation; the promise resolves to the operation's result or rejects
    /// with a `KassaError`.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn call(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EngineOperationName")] operation: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] request: JsValue,
    ) -> js_sys::Promise {
        let host = Rc::clone(&self.host);
        let prepared = crate::string_arg(&operation, "operation").and_then(|op| {
            let input = if request.is_undefined() {
                // Operations without a request (`health`, `memory.now`) take nothing.
                "{}".to_owned()
            } else {
                from_js(&request).map_err(|e| error_object(&e))?
            };
            Ok((op, input))
        });
        wasm_bindgen_futures::future_to_promise(async move {
            let (operation, input) = prepared?;
            let output = host
                .call_str(&operation, &input)
                .await
                .map_err(|e| error_object(&e))?;
            text_to_js(&output).map_err(|e| error_object(&e))
        })
    }

    /// Every engine operation name `call` accepts.
    #[wasm_bindgen(unchecked_return_type = "EngineOperationName[]")]
    pub fn operations() -> Vec<String> {
        crate::owned_names(kassa::host::engine::OPERATIONS)
    }

    /// The operations of `operations()` this build runs, in the same order; the others reject
    /// with `UNSUPPORTED` naming their family's feature (`engine-auth`, `engine-supply`,
    /// `engine-billing`, `templates` for `notify.render`; the `web-full` build has none of
    /// them, docs/wasm.md "Builds").
    #[wasm_bindgen(js_name = availableOperations, unchecked_return_type = "EngineOperationName[]")]
    pub fn available_operations() -> Vec<String> {
        kassa::host::engine::available_operations()
            .map(str::to_owned)
            .collect()
    }
}
