namespace basin::delta {}
