"""Z3: proof obligations, one- and two-endpoint induction, bounded model checking."""
