"""When activities happen: RFC 5545 recurrence, breaks and plain-words descriptions."""
