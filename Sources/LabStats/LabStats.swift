// Module LabStats.
