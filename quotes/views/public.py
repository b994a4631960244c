"""The client's public page of a sent quote (/q/<token>/): read, download, accept or refuse."""
