"""What tests share: the harness, fakes, payload builders and steps."""
