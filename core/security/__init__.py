"""Security kernel: passwords, access rights, record rules compiled to SQL, audit, approvals."""
