// Module LabBackends.
