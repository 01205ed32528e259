"""The citizen's side: file an appeal, get a receipt, track it, "My appeals"."""
