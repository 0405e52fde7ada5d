"""The pure core of dispatch: routing, the assignment state machine, deadlines. No I/O."""
