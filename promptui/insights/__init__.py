"""Version insights: the runs, logged models and traces that used each version; metrics."""
