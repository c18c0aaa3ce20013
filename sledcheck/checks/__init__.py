"""The checks: the engine, the one rule list (registry), the policy stage and one module per rule family."""
