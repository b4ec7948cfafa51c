namespace basin::types {}
