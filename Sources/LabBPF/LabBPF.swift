// Module LabBPF.
