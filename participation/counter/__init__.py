"""Contributions taken on behalf of people who are not online: at the counter, by phone, on a
paper form or at a public meeting (issue #20). See docs/counter.md."""
