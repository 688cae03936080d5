# expect: MI205
# why: An ARM token taken from the internal AzureSession authentication factory (held in a variable) and used in a Bearer header for Invoke-RestMethod; the unsafe fix takes it from Get-AzAccessToken -AsSecureString instead and drops the factory.
param(
    [Parameter(Mandatory = $true)]
    [string] $ResourceGroupName
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$context = Get-AzContext
$armResource = "https://management.azure.com/"
$armToken = [System.Net.NetworkCredential]::new('', (Get-AzAccessToken -ResourceUrl $armResource -AsSecureString).Token).Password

$headers = @{
    'Authorization' = "Bearer $armToken"
    'Content-Type'  = 'application/json'
}
$uri = "https://management.azure.com/subscriptions/$($context.Subscription.Id)/resourceGroups/$ResourceGroupName/providers/Microsoft.Compute/virtualMachines?api-version=2023-03-01"

$vms = (Invoke-RestMethod -Method Get -Uri $uri -Headers $headers).value
foreach ($vm in $vms) {
    Write-Output ("{0} ({1})" -f $vm.name, $vm.properties.hardwareProfile.vmSize)
}
