"""Similar appeals, groups answered once, and the routing hint from history."""
