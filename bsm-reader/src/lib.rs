//! Reading BSM trails: praudit and auditreduce build on this crate (issues #3 and #4).
