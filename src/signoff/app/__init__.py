"""The Textual review UI (a thin layer over the core; the core never imports it)."""
