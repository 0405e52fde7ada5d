from civicloop.platform.acks import AckPlan, AckWindow


def test_a_run_of_handled_deliveries_is_one_multiple_ack() -> None:
    window = AckWindow()
    assert window.plan([3, 1, 2]) == AckPlan(multiple_through=3, single=())
    assert window.plan([4]) == AckPlan(multiple_through=4, single=())


def test_a_delivery_still_in_its_handler_is_never_covered() -> None:
    window = AckWindow()
    # 2 is still being handled: 1 goes in the run, 3 and 4 on their own, at once.
    assert window.plan([1, 3, 4]) == AckPlan(multiple_through=1, single=(3, 4))
    # When 2 ends, the run passes over 3 and 4 (already acked) and names 2 alone.
    assert window.plan([2]) == AckPlan(multiple_through=2, single=())
    assert window.through == 4
    assert window.plan([5]) == AckPlan(multiple_through=5, single=())


def test_requeued_and_rejected_deliveries_let_the_run_pass() -> None:
    window = AckWindow()
    window.settled_elsewhere(1)  # requeued after a failure
    assert window.plan([2, 3]) == AckPlan(multiple_through=3, single=())
    window.settled_elsewhere(5)  # malformed, rejected to the parking queue
    assert window.plan([4, 6]) == AckPlan(multiple_through=6, single=())


def test_an_unseen_delivery_blocks_the_run() -> None:
    window = AckWindow()
    # 1 has not reached the consumer yet (or is lost in its handler): nothing above it may be
    # covered by a multiple ack.
    assert window.plan([2, 3]) == AckPlan(multiple_through=None, single=(2, 3))
    assert window.through == 0


def test_repeated_or_old_tags_are_not_acked_twice() -> None:
    window = AckWindow()
    assert window.plan([1, 2]) == AckPlan(multiple_through=2, single=())
    assert window.plan([2]) == AckPlan(multiple_through=None, single=())
