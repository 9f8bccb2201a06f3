// Module LabTopology.
