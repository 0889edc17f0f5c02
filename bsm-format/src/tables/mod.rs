//! Lookup tables: audit events, audit classes, BSM errno values and socket constants.
