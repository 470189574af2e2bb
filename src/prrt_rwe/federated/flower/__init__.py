"""Flower at the edge of the federated study: the same requests and replies
(federated/protocol.py) carried as Flower messages.

* :mod:`.records`: a request or reply <-> a Flower ``RecordDict`` (JSON values in a
  ``ConfigRecord``, numpy arrays in ``ArrayRecord`` s);
* :mod:`.apps`: the ClientApp (a node answers ``query.prrt`` messages) and the transport a
  coordinator uses over any Flower ``Grid``;
* :mod:`.simulation`: every site's ClientApp in this process behind an in-process Grid
  (``prrt-rwe federate --simulate``);
* :mod:`.deployment`: a SuperLink for the coordinator and a SuperNode per site, one process
  each (``prrt-rwe federate --network`` / ``prrt-rwe node``);
* :mod:`.secure`: Flower SecAgg+ for the summed arrays.
"""
