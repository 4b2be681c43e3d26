//! authsim-sim: discrete-event engine.
