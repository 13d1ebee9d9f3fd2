"""Pure renderers of typed records (a told trace: steps.py; the state graph: graph.py): text,
DOT/Mermaid/JSON, SVG charts, the step-through page (its template is package data), JUnit."""
