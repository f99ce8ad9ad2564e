// bindings go here
