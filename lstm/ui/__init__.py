"""The page's controllers: plain Python over the `Page` interface (see ARCHITECTURE.md)."""
