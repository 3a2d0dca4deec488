"""Stubs of the native module ``kassa._native`` (Rust, pyo3)."""

from typing import Callable, final

__all__ = [
    "Engine",
    "call",
    "operations",
    "error_codes",
    "core_version",
    "_set_error_factory",
    "_debug_panic",
    "_set_port_invoker",
]

def call(operation: str, request: str) -> str: ...
def operations() -> list[str]: ...
def error_codes() -> list[tuple[str, int]]: ...
def core_version() -> str: ...
def _set_error_factory(factory: Callable[[str], BaseException]) -> None: ...
def _debug_panic(message: str) -> None: ...
def _set_port_invoker(invoker: Callable[[object, str, str], str]) -> None: ...

@final
class Engine:
    @staticmethod
    def in_memory(
        setup: str,
        gateway: object | None = None,
        orders: object | None = None,
        events: object | None = None,
        clock: object | None = None,
    ) -> Engine: ...
    def call(self, operation: str, request: str) -> str: ...
    @staticmethod
    def operations() -> list[str]: ...
