"""Helpers shared by the tests: images written on the fly, ICC profiles, git repositories, a loopback OpenAI, fuzz seeds."""
