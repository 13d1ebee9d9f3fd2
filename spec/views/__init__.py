"""Renderers: text, DOT/Mermaid/JSON, SVG charts, JUnit."""
