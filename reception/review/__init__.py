"""The officials' side: the queue, the appeal page and the review actions."""
