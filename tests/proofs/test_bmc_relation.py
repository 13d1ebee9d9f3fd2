"""BMC's skeletons: a TCB read as offsets of its ISS and IRS, whatever numbers the ISNs are."""

import pytest

from tcpverify.spec.proofs.bmc_relation import IRS, ISS, skeleton
from tcpverify.spec.tcp.seq import MOD, SeqVal, concrete
from tcpverify.spec.tcp.states import SYN_RECEIVED
from tcpverify.spec.tcp.tcb import Tcb


def syn_received(iss: SeqVal, irs: SeqVal) -> Tcb:
    return Tcb(SYN_RECEIVED, "passive", iss, irs, snd_una=iss, snd_nxt=iss + 1, rcv_nxt=irs + 1,
               incarnations=1)


@pytest.mark.parametrize("iss, irs", [(MOD - 1, 7), (5, MOD - 1), (MOD - 1, MOD - 1), (0, 0)])
def test_concrete_isns_give_the_skeleton_of_symbolic_ones_across_the_wrap(iss, irs):
    """A BMC counterexample replays with Z3's ISNs (spec.proofs.bmc.replay): when ISS = 2^32 - 1,
    SND.NXT = ISS + 1 wraps to 0 and must still read as ISS + 1."""
    (symbolic, _, _) = skeleton(syn_received(SeqVal(ISS, 0), SeqVal(IRS, 0)))
    (concrete_one, _, _) = skeleton(syn_received(concrete(iss), concrete(irs)))
    assert concrete_one == symbolic
