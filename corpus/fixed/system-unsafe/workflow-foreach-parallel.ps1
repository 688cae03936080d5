# expect: MI101 MI102 MI401 MI104
# why: PowerShell Workflow runbook with the login at workflow level, the subscription read handed to an InlineScript, and foreach -parallel.
workflow Stop-DevVirtualMachines
{
    param(
        [string] $TagName = 'Environment',
        [string] $TagValue = 'Dev'
    )

    Disable-AzContextAutosave -Scope Process | Out-Null
    $null = Connect-AzAccount -Identity

    # TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
    $SubscriptionId = (Get-AzContext).Subscription.Id

    $machines = InlineScript {
        $null = Set-AzContext -SubscriptionId $Using:SubscriptionId
        Get-AzVM | Where-Object { $_.Tags[$Using:TagName] -eq $Using:TagValue } |
            Select-Object -Property Name, ResourceGroupName
    }

    foreach -parallel ($machine in $machines)
    {
        $outcome = Stop-AzVM -Name $machine.Name -ResourceGroupName $machine.ResourceGroupName -Force
        Write-Output "$($machine.Name): $($outcome.Status)"
    }
}
