"""The working calendar's sources: the `holidays` package and the calendar policy file."""
