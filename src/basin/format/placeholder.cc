namespace basin::format {}
