"""Federated study: every site keeps its rows, the network gets the same study
(shared/spec/federated.md).

* :mod:`~prrt_rwe.federated.node` (site side) runs the pooled pipeline on the site's own rows
  (validate, ingest, derive, the results/ functions), answers only the predefined analyses of
  :mod:`~prrt_rwe.federated.protocol`, applies the disclosure rules of
  :mod:`~prrt_rwe.federated.disclosure` and writes every reply to its audit log
  (:mod:`~prrt_rwe.federated.audit`);
* :mod:`~prrt_rwe.federated.coordinator` combines the replies with the stats/ engines
  (:mod:`prrt_rwe.stats.event_counts`, :mod:`prrt_rwe.stats.cox_block_sums`, the shared
  Newton and IRLS drivers) and assembles results.json and the report
  (:mod:`~prrt_rwe.federated.assembly`);
* the runtime is an adapter at the edge: :mod:`~prrt_rwe.federated.flower` carries the same
  requests and replies as Flower messages, in one process (simulation) or over the network
  (SuperLink/SuperNode deployment).  Nothing else here imports Flower.
"""
