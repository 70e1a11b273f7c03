"""A throwaway feature for tests/test_new_feature.py: petitions, declared by a manifest alone.

Nothing in the application names it; the test installs it by adding one line to
`participation.features.INSTALLED`, as a real feature would be."""
