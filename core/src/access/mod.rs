//! Access: roles, permissions with ownership, explained decisions.
