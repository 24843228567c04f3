"""Offers and events: what a newcomer can go to."""
