//! Shared fixtures for the AKA protocols' tests.
