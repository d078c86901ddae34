"""Suggested edits: corrections the public proposes, reviewed and published as revisions."""
