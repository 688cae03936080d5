# Workflow `foreach -parallel` with a throttle limit.
workflow Stop-All {
    foreach -parallel -throttlelimit 4 ($vm in $vms) {
        Stop-AzVM -Name $vm -Force
    }
}
