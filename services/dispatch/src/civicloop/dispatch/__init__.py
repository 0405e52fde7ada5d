"""Dispatch: gets each case to the department whose duties cover it (派单), lets it accept or
return the case (接单 / 退单), keeps its handling form (办单) and holds it to its deadlines
(督办). Dispatch owns a case from ``dispatched`` to ``completed``."""
